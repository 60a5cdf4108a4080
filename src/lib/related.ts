// What the related tickets of a call or a ticket are, in the words both screens use (受理's 近 30 天相关工单 and the
// ticket page's 相关工单): relatedTickets (src/lib/server/cases/service.ts) lists every ticket of the same caller in
// the 30 days, and the tickets of the same street — of the same district when no street is known — whose text is
// similar (the cosine of weighted character bigrams); its `why` says which (同一来电人, 同一地点，内容相似,
// 同一区县，内容相似).

/** Which earlier tickets are looked for, e.g. after 近 30 天 or 未发现. */
export const RELATED_SCOPE = '同一来电人的工单和同一地点（街道，未定街道时为区县）内容相似的工单';
