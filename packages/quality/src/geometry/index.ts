export {
  type Point,
  type Polygon,
  signedPolygonArea,
  polygonArea,
  boxToPolygon,
  polygonIntersectionArea,
  polygonIoU,
  isSimplePolygon,
} from './polygon';
export {
  type Keypoint,
  type KeypointSimilarityOptions,
  COCO_PERSON_SIGMAS,
  objectKeypointSimilarity,
  keypointAgreement,
} from './keypoints';
export {
  type ShapeSimilarity,
  type ShapePair,
  type ShapeMatchOptions,
  matchShapes,
  matchPolygons,
  shapeSetF1,
} from './matching';
export {
  type ShapeAnnotation,
  type ClusterMember,
  type ShapeClusterOptions,
  clusterShapes,
} from './cluster';
export {
  type Reliability,
  type ShapeConsensusOptions,
  type ConsensusMember,
  type ConsensusObject,
  shapeConsensus,
} from './consensus';
export {
  type ScoredBox,
  type BoxAnnotation,
  type FusedMember,
  type FusedBox,
  type BoxFusionOptions,
  fuseBoxes,
  medoidAnnotation,
} from './fusion';
export {
  type BoxItem,
  type FusedItem,
  type BoxItemsFusionOptions,
  type BoxItemsFusion,
  fuseBoxItems,
  annotatorReliability,
} from './reliability';
