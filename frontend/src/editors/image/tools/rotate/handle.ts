/** Screen pixels between a box's or ellipse's top edge and its rotation handle. */
export const ROTATION_HANDLE_DISTANCE = 24;
