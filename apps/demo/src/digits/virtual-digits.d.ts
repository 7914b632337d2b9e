// The packed digits asset, made by the demo's vite plugin (vite-plugin-digits.ts): its URL.
declare module "virtual:mnist-digits" {
  const url: string;
  export default url;
}
