import { parseLabelStudioConfig } from './config';

/** Test-only fixtures shared by the Label Studio tests. */

/** A config using every mapped image control: shapes, per-region answers and a global one. */
export const IMAGE_CONFIG = `<View>
  <Header value="Mark every vehicle"/>
  <Image name="image" value="$image" zoom="true"/>
  <RectangleLabels name="box" toName="image">
    <Label value="car" background="red"/>
    <Label value="person"/>
  </RectangleLabels>
  <PolygonLabels name="poly" toName="image" strokeWidth="3"><Label value="road"/></PolygonLabels>
  <KeyPointLabels name="kp" toName="image"><Label value="nose"/></KeyPointLabels>
  <Choices name="occluded" toName="image" perRegion="true" whenLabelValue="car">
    <Choice value="yes"/><Choice value="no"/>
  </Choices>
  <Choices name="colour" toName="image" perRegion="true" choice="multiple">
    <Choice value="red"/><Choice value="blue"/>
  </Choices>
  <TextArea name="note" toName="image" perRegion="true"/>
  <Choices name="weather" toName="image"><Choice value="sunny"/><Choice value="rain"/></Choices>
</View>`;

export const imageConfig = parseLabelStudioConfig(IMAGE_CONFIG);
export const nerConfig = parseLabelStudioConfig(
  '<View><Text name="text" value="$text"/><Labels name="label" toName="text"><Label value="PER"/><Label value="LOC"/></Labels><Choices name="certain" toName="text" perRegion="true"><Choice value="yes"/><Choice value="no"/></Choices></View>',
);

export const size = { original_width: 1000, original_height: 500, image_rotation: 0 };
export const imageTask = {
  id: 17,
  data: { image: 'https://cdn.example.com/street.jpg', camera: 'front' },
  annotations: [{ id: 3, was_cancelled: true, result: [] }],
  predictions: [
    {
      model_version: 'yolo-v8',
      score: 0.8,
      result: [
        {
          id: 'a1',
          from_name: 'box',
          to_name: 'image',
          type: 'rectanglelabels',
          ...size,
          origin: 'prediction',
          score: 0.9,
          value: {
            x: 12.5,
            y: 10,
            width: 20,
            height: 30.25,
            rotation: 0,
            rectanglelabels: ['car'],
          },
        },
        {
          id: 'a1',
          from_name: 'occluded',
          to_name: 'image',
          type: 'choices',
          ...size,
          value: { x: 12.5, y: 10, width: 20, height: 30.25, rotation: 0, choices: ['no'] },
        },
        {
          id: 'p1',
          from_name: 'poly',
          to_name: 'image',
          type: 'polygonlabels',
          ...size,
          value: {
            points: [
              [0, 0],
              [50, 0],
              [50, 50],
            ],
            closed: true,
            polygonlabels: ['road'],
          },
        },
        {
          id: 'k1',
          from_name: 'kp',
          to_name: 'image',
          type: 'keypointlabels',
          ...size,
          value: { x: 1.5, y: 2.5, width: 0.4, keypointlabels: ['nose'] },
        },
        {
          id: 'w',
          from_name: 'weather',
          to_name: 'image',
          type: 'choices',
          value: { choices: ['rain'] },
        },
      ],
    },
  ],
};
