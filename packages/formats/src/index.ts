export { FormatError, inFile, isFormatError, type FormatLocation } from './errors';
export {
  DEFAULT_MAX_LINE_LENGTH,
  LineSplitter,
  TextDecoderStream,
  numberedLines,
  type Chunk,
  type NumberedLine,
  type TextSource,
} from './text-stream';
export {
  CsvReader,
  checkCsvHeader,
  parseCsv,
  readCsvRecords,
  readCsvRecordsAsync,
  readCsvRows,
  rowOf,
  type CsvOptions,
  type CsvRecord,
  type CsvRow,
} from './csv';
export { csvCell, csvRow, neutralizeFormula, writeCsv, type CsvValue } from './csv-write';
export {
  JsonLinesReader,
  jsonLine,
  readJsonLines,
  readJsonLinesAsync,
  type BadLine,
  type JsonLine,
  type JsonLinesOptions,
} from './jsonl';
export {
  JsonArrayReader,
  readJsonArray,
  readJsonArrayAsync,
  writeJsonArray,
  type JsonArrayOptions,
} from './json-array';
export {
  csvTaskRows,
  jsonlTaskRows,
  parseTaskColumns,
  taskBodyFromCells,
  type TaskRow,
  type TaskRowOptions,
} from './task-rows';
export {
  childElement,
  childElements,
  escapeXmlAttribute,
  escapeXmlText,
  parseXml,
  textContent,
  type XmlElement,
  type XmlOptions,
} from './xml';
export { readImageSize } from './image-size';
export {
  boxCorners,
  fileNameOf,
  imageLabels,
  type ImageSize,
  type ImageTaskRecord,
  type Vertex,
} from './geometry';
export { CocoWriter, writeCoco, type CocoExportOptions, type CocoKeypointSchema } from './coco';
export { assertValidCoco, validateCoco, type CocoProblem } from './coco-validate';
export { cocoPrelabels, type CocoImage, type CocoImportOptions } from './coco-import';
export {
  parseYoloClasses,
  parseYoloLabels,
  yoloClassesTxt,
  yoloLabelFile,
  yoloLabelFileName,
  type YoloExportOptions,
} from './yolo';
export { parseYoloDataYaml, yoloDataYaml, type YoloDataset } from './yolo-yaml';
export { parseVocXml, vocAnnotationXml, type VocExportOptions, type VocImage } from './voc';
export { codePointCount, tokenize, type Token } from './tokenize';
export { flatSpans, type NerDocument, type OverlapPolicy, type Span } from './spans';
export { conllDocument, readConll, type ConllDocument, type ConllExportOptions } from './conll';
export { fromSpacyDoc, toSpacyDoc, type SpacyDoc } from './spacy';
export {
  classificationCsvCells,
  classificationCsvHeader,
  writeClassificationCsv,
  type ClassificationCsvOptions,
  type ClassificationRecord,
} from './classification-csv';
export {
  parseLabelStudioConfig,
  type LabelStudioConfig,
  type LabelStudioControl,
  type LabelStudioControlKind,
  type LabelStudioObject,
} from './labelstudio/config';
export { labelStudioConfigXml, type LabelStudioConfigDocument } from './labelstudio/config-write';
export {
  fromLabelStudioTask,
  type LabelStudioImport,
  type LabelStudioImportOptions,
} from './labelstudio/import';
export {
  toLabelStudioTask,
  type LabelStudioExportOptions,
  type LabelStudioSourceTask,
} from './labelstudio/export';
export type { LabelStudioResult, LabelStudioTask } from './labelstudio/results';
export { crc32, openZip, readZip, type ZipEntry, type ZipEntryInfo, type ZipLimits } from './zip';
export { ZipWriter, type ZipWriteOptions } from './zip-write';
export {
  identifyDataset,
  readDatasetArchive,
  type AnnotationFormat,
  type ArchiveDataset,
  type ArchiveImage,
} from './archive';
