const KNOWN = ["memory", "postgres", "filesystem", "pglite", "s3", "sqlite"] as const;

export type StoreKind = (typeof KNOWN)[number];

/** The stores the contract suites run against: STORES=memory,postgres,filesystem,pglite,s3,sqlite (the default is all). */
export function selectedStores(): ReadonlySet<StoreKind> {
  const names = (process.env.STORES ?? KNOWN.join(","))
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  const unknown = names.filter((name) => !KNOWN.includes(name as StoreKind));
  if (unknown.length > 0)
    throw new Error(`STORES names unknown stores: ${unknown.join(", ")} (known: ${KNOWN.join(", ")})`);
  return new Set(names as StoreKind[]);
}
