/**
 * `torch.utils`: as in PyTorch, `torch.utils.data` holds the dataset and loader classes.
 */
export * as data from "./utils-data.js";
