// Preloaded into a client process (node --require): this machine's clock, as every Date and
// Date.now() in the process sees it, is CLOCK_OFFSET_MS (ms, may be negative) away from real time.
const offset = Number(process.env.CLOCK_OFFSET_MS || 0);
const RealDate = Date;
class SkewedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + offset);
    else super(...args);
  }
  static now() {
    return RealDate.now() + offset;
  }
}
globalThis.Date = SkewedDate;
