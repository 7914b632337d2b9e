// Paints one 28 x 28 digit (values in [0, 1]) into a canvas of that size: white ink on black, as MNIST.

export function paintDigit(canvas: HTMLCanvasElement, pixels: ArrayLike<number>, offset = 0): void {
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  const image = ctx.createImageData(canvas.width, canvas.height);
  for (let i = 0; i < canvas.width * canvas.height; i++) {
    const v = Math.round(Math.min(1, Math.max(0, (pixels[offset + i] as number) ?? 0)) * 255);
    image.data.set([v, v, v, 255], i * 4);
  }
  ctx.putImageData(image, 0, 0);
}

export function digitCanvas(): HTMLCanvasElement {
  const canvas = document.createElement("canvas");
  canvas.width = 28;
  canvas.height = 28;
  canvas.setAttribute("aria-hidden", "true");
  return canvas;
}
