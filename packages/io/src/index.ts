export { safetensors } from "./safetensors.js";
export { load, type Saveable, save } from "./torch-file.js";
