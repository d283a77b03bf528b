// record_gzip.js: a gzip round trip through zlib streams of every file named
// on the command line, for `poolcheck record` (model/node/record_programs.sh).
// Exit 1 when a file does not come back byte for byte.
'use strict';
const fs = require('fs');
const zlib = require('zlib');
const { pipeline, PassThrough } = require('stream');

async function roundTrip(file) {
  const original = fs.readFileSync(file);
  const chunks = [];
  const sink = new PassThrough();
  sink.on('data', (c) => chunks.push(c));
  await new Promise((resolve, reject) =>
    pipeline(fs.createReadStream(file, { highWaterMark: 4096 }), zlib.createGzip(), zlib.createGunzip(), sink,
      (error) => (error ? reject(error) : resolve())));
  return Buffer.concat(chunks).equals(original);
}

(async () => {
  let bad = 0;
  for (const file of process.argv.slice(2)) if (!(await roundTrip(file))) ++bad;
  console.log(`gzip: ${process.argv.length - 2} files, ${bad} changed`);
  process.exitCode = bad === 0 ? 0 : 1;
})();
