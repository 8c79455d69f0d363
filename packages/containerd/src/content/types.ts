/** What the content store hands out: blob info and ingest status (content.Info, content.Status). */
export interface ContentInfo {
  digest: string;
  size: number;
  createdAt: Date;
  updatedAt: Date;
  labels: Record<string, string>;
}

export interface IngestStatus {
  ref: string;
  offset: number;
  total: number;
  startedAt: Date;
  updatedAt: Date;
  /** Set when the ingest will be satisfied by a blob already on disk (another namespace's). */
  expected?: string;
}
