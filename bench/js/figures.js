'use strict';
// The bench/run contract (DESIGN §10): `--json FILE` and `--quick`; print a table; write
// {"figures": {name: {value, unit, anchor?, target?}}}.
const fs = require('node:fs');

function parseArgs(argv) {
  const i = argv.indexOf('--json');
  return { json: i >= 0 ? argv[i + 1] : undefined, quick: argv.includes('--quick') };
}

function report(figures, jsonPath) {
  const width = Math.max(...Object.keys(figures).map((n) => n.length));
  for (const [name, f] of Object.entries(figures)) {
    const notes = [f.anchor, f.target && `target ${f.target}`].filter(Boolean).join('; ');
    console.log(`${name.padEnd(width)}  ${f.value.toFixed(f.value >= 100 ? 0 : 2).padStart(10)}  ${f.unit.padEnd(6)}  ${notes}`);
  }
  if (jsonPath) fs.writeFileSync(jsonPath, JSON.stringify({ figures }, null, 1) + '\n');
}

module.exports = { parseArgs, report };
