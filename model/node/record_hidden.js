// record_hidden.js: pool traffic the recorder cannot see. Buffer.prototype
// indexOf / includes / lastIndexOf of a hex, base64 or ascii string make a
// temporary pooled buffer (lib/buffer.js fromStringFast) that never reaches
// the caller; between two allocUnsafe calls it shows up as an offset jump,
// which the recording must carry as inferred ops (record_programs.sh).
'use strict';
const haystack = Buffer.from('the quick brown fox jumps over the lazy dog');
let found = 0;
for (let i = 0; i < 20; ++i) {
  const b = Buffer.allocUnsafe(10 + i);
  b.fill(i);
  if (haystack.indexOf('6f78', 0, 'hex') >= 0) ++found;         // "ox"
  if (haystack.includes('ZG9n', 0, 'base64')) ++found;           // "dog"
  if (haystack.lastIndexOf('the'.repeat(1 + (i % 3)), undefined, 'ascii') >= 0) ++found;
}
// Hidden requests of 24000 bytes (a 6000-char hex string, 4L < 32768) that
// keep 3000: some of them start pools the recorder never sees start, and
// the next allocUnsafe meets such a pool 3000 bytes in.
for (let i = 0; i < 24; ++i) {
  if (haystack.indexOf('ab'.repeat(3000), 0, 'hex') < 0) ++found;
  Buffer.allocUnsafe(7).fill(i);
}
console.log(`hidden: ${found} found`);
