type Scalar = string | number | boolean | null;

export interface FieldOperators {
  $eq?: Scalar;
  $ne?: Scalar;
  $gt?: number | string;
  $gte?: number | string;
  $lt?: number | string;
  $lte?: number | string;
  $in?: Scalar[];
  $nin?: Scalar[];
  $exists?: boolean;
  $regex?: string;
  $options?: string;
  $not?: FieldOperators | Scalar;
}

/** Mongo-style metadata filter: `{ source: 'a.md', page: { $gte: 3 }, $or: [...] }`. */
export type VectorFilter = {
  $and?: VectorFilter[];
  $or?: VectorFilter[];
  $nor?: VectorFilter[];
  $not?: VectorFilter;
} & { [field: string]: Scalar | FieldOperators | VectorFilter[] | VectorFilter | undefined };
