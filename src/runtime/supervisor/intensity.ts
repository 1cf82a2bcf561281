// Restart intensity (SUP-04): every restart attempt is stamped on the monotonic clock; more than `intensity`
// stamps within the last `period` seconds means the supervisor must give up.

/** The sliding window of restart times. */
export class RestartIntensity {
  private stamps: number[] = [];
  private readonly periodMs: number;

  constructor(
    private readonly intensity: number,
    periodSeconds: number,
  ) {
    this.periodMs = periodSeconds * 1000;
  }

  /** Records a restart at `now` (ms); returns false when the limit is exceeded (OTP add_restart). */
  add(now: number): boolean {
    const threshold = now - this.periodMs;
    this.stamps = this.stamps.filter((t) => t >= threshold);
    this.stamps.push(now);
    return this.stamps.length <= this.intensity;
  }

  /** Restarts currently inside the window. */
  get count(): number {
    return this.stamps.length;
  }
}
