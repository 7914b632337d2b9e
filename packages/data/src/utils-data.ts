/**
 * `torch.utils.data`: `TensorDataset` and `DataLoader`.
 */
export { DataLoader, type DataLoaderOptions, TensorDataset } from "./loader.js";
