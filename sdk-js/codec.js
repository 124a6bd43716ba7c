'use strict';
// How values become the engine's bytes, and back. Every entry carries an encoding byte, so a
// value is decoded by how it was written: strings are stored as UTF-8, Buffers and typed arrays
// as their raw bytes with their type, everything else through v8.serialize (the structured
// clone algorithm: objects, arrays, Date, Map, Set, RegExp, BigInt, errors…).
//
// The encoding bytes are part of the stored format, shared with the Python SDK
// (sdk-py/zatabase/serializers.py: 0 raw bytes, 1 UTF-8 text, 2 pickle, 3 JSON): never renumber.
const v8 = require('node:v8');
const { ZatabaseTypeError, ZatabaseProtocolError } = require('./errors');

const RAW_BYTES = 0; // Buffer (Python: bytes)
const RAW_STR = 1; // string (Python: str)
const PICKLE = 2; // written by Python; not readable here
const JSON_TEXT = 3; // written by Python's json serializer
const V8 = 16; // v8.serialize
const ARRAY_BUFFER = 17;
const DATA_VIEW = 18;
// Typed arrays: 32 + their index here.
const TYPED_ARRAYS = [
  Uint8Array, Int8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array,
];
const TYPED_BASE = 32;
const typedEncoding = new Map(TYPED_ARRAYS.map((cls, i) => [cls, TYPED_BASE + i]));

/**
 * The bytes to store for `value` and their encoding: [string | ArrayBufferView | ArrayBuffer,
 * encoding]. Strings and binary data go to the addon as they are (it reads them in place).
 */
function encode(value, key) {
  if (typeof value === 'string') return [value, RAW_STR];
  if (typeof value === 'object' && value !== null) {
    if (Buffer.isBuffer(value)) return [value, RAW_BYTES];
    if (ArrayBuffer.isView(value)) {
      if (value instanceof DataView) return [value, DATA_VIEW];
      const encoding = typedEncoding.get(value.constructor);
      if (encoding !== undefined) return [value, encoding];
    } else if (value instanceof ArrayBuffer) {
      return [value, ARRAY_BUFFER];
    }
  }
  try {
    return [v8.serialize(value), V8];
  } catch (err) {
    throw new ZatabaseTypeError(`the value for key ${JSON.stringify(key)} cannot be cached: ${err.message}`, { cause: err });
  }
}

// A copy of engine bytes in a fresh, aligned ArrayBuffer (the engine's memory is read-only and
// an entry's bytes have no alignment guarantee).
function copyBytes(bytes) {
  const copy = new ArrayBuffer(bytes.length);
  new Uint8Array(copy).set(bytes);
  return copy;
}

/**
 * The value stored as `bytes` (a zero-copy Buffer over the engine's memory, which must not
 * escape: everything returned is a copy or a fresh object).
 */
function decode(bytes, encoding, key) {
  switch (encoding) {
    case RAW_STR: return bytes.toString('utf8');
    case V8: return v8.deserialize(bytes);
    case RAW_BYTES: return Buffer.from(bytes);
    case JSON_TEXT: return JSON.parse(bytes.toString('utf8'));
    case ARRAY_BUFFER: return copyBytes(bytes);
    case DATA_VIEW: return new DataView(copyBytes(bytes));
    default: {
      const cls = TYPED_ARRAYS[encoding - TYPED_BASE];
      if (cls !== undefined) return new cls(copyBytes(bytes));
      const who = encoding === PICKLE ? 'the Python SDK (pickle)' : `an unknown writer (encoding ${encoding})`;
      throw new ZatabaseProtocolError(`the entry for key ${JSON.stringify(key)} was written by ${who} and cannot be read here`);
    }
  }
}

module.exports = { encode, decode, RAW_BYTES, RAW_STR, JSON_TEXT, V8 };
