#include "decompress.h"

#include "trace.h"

#include <lzma.h>
#include <zlib.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

namespace zcache::sim {
namespace {

constexpr std::size_t kChunk = 1 << 16;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw TraceError(path + ": " + what);
}

// A compressed input file read in chunks; open and read errors become TraceErrors.
class InputFile {
 public:
  explicit InputFile(const std::string& path) : path_(path), file_(std::fopen(path.c_str(), "rb")) {
    if (!file_) fail(path_, std::string("cannot open: ") + std::strerror(errno));
  }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  ~InputFile() { std::fclose(file_); }

  // Reads up to `cap` bytes; 0 only at end of file.
  std::size_t read(unsigned char* buf, std::size_t cap) {
    const std::size_t n = std::fread(buf, 1, cap, file_);
    if (n == 0 && std::ferror(file_)) fail(path_, std::string("read error: ") + std::strerror(errno));
    total_ += n;
    return n;
  }
  std::uint64_t bytes_read() const noexcept { return total_; }

 private:
  std::string path_;
  std::FILE* file_;
  std::uint64_t total_ = 0;
};

void emit(const ByteSink& sink, const std::vector<unsigned char>& out, std::size_t n) {
  if (n) sink(std::string_view(reinterpret_cast<const char*>(out.data()), n));
}

}  // namespace

void decompress_gzip_file(const std::string& path, const ByteSink& sink) {
  InputFile file(path);
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) fail(path, "zlib initialisation failed");  // 16: gzip only
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, inflateEnd);

  std::vector<unsigned char> in(kChunk), out(kChunk);
  bool in_member = false;  // inside a gzip member that has not reached its end yet
  for (;;) {
    if (zs.avail_in == 0) {
      zs.avail_in = static_cast<uInt>(file.read(in.data(), in.size()));
      zs.next_in = in.data();
      if (zs.avail_in == 0) break;
    }
    in_member = true;
    zs.next_out = out.data();
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&zs, Z_NO_FLUSH);
    emit(sink, out, out.size() - zs.avail_out);
    if (rc == Z_STREAM_END) {
      in_member = false;
      inflateReset(&zs);  // another member may follow
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      fail(path, std::string("corrupt gzip data: ") + (zs.msg ? zs.msg : zError(rc)));
    }
  }
  if (file.bytes_read() == 0) fail(path, "empty file (expected gzip data)");
  if (in_member) fail(path, "truncated gzip data (unexpected end of file)");
}

void decompress_xz_file(const std::string& path, const ByteSink& sink) {
  InputFile file(path);
  lzma_stream xs = LZMA_STREAM_INIT;
  if (lzma_stream_decoder(&xs, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) fail(path, "liblzma initialisation failed");
  std::unique_ptr<lzma_stream, void (*)(lzma_stream*)> guard(&xs, lzma_end);

  std::vector<unsigned char> in(kChunk), out(kChunk);
  lzma_action action = LZMA_RUN;
  for (;;) {
    if (xs.avail_in == 0 && action == LZMA_RUN) {
      xs.avail_in = file.read(in.data(), in.size());
      xs.next_in = in.data();
      if (xs.avail_in == 0) action = LZMA_FINISH;
    }
    xs.next_out = out.data();
    xs.avail_out = out.size();
    const lzma_ret rc = lzma_code(&xs, action);
    emit(sink, out, out.size() - xs.avail_out);
    if (rc == LZMA_STREAM_END) break;
    if (rc == LZMA_OK) continue;
    if (file.bytes_read() == 0) fail(path, "empty file (expected xz data)");
    switch (rc) {
      case LZMA_FORMAT_ERROR: fail(path, "not xz data (bad magic bytes)");
      case LZMA_OPTIONS_ERROR: fail(path, "unsupported xz options");
      case LZMA_DATA_ERROR: fail(path, "corrupt xz data");
      case LZMA_BUF_ERROR: fail(path, "truncated xz data (unexpected end of file)");
      case LZMA_MEM_ERROR: fail(path, "out of memory while decompressing");
      default: fail(path, "xz decompression failed (liblzma error " + std::to_string(static_cast<int>(rc)) + ")");
    }
  }
}

}  // namespace zcache::sim
