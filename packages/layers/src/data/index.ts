/** Data for training: in-memory datasets, a seeded batching loader, and the built-in shapes dataset. */
export { type InMemoryDataset, tensorDataset } from "./dataset.js";
export { DataLoader, type DataLoaderOptions, type Batch } from "./data-loader.js";
export { shapesDataset, SHAPE_CLASSES, type ShapesDataset, type ShapesDatasetOptions } from "./shapes.js";
