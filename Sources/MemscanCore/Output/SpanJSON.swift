/// The JSONL record of one generation (§5). Field names are a stable contract.
enum SpanJSON {
    static func write(_ result: GenerationResult, into json: inout JSONWriter) {
        json.beginObject()
        json.field("id", result.id)
        for group in result.groups {
            json.key(group.field)
            json.raw(group.json)
        }
        json.field("tokens", result.tokens)
        json.field("prompt_tokens", result.promptTokens)
        json.key("spans")
        json.beginArray()
        for span in result.spans { write(span, into: &json) }
        json.endArray()
        json.field("longest", result.longest)
        json.field("coverage", result.coverage)
        json.key("max_risk")
        if let risk = result.maxRisk { json.string(risk.description) } else { json.null() }
        json.endObject()
        json.newline()
    }

    static func write(_ span: Span, into json: inout JSONWriter) {
        json.beginObject()
        json.field("start", span.start)
        json.field("end", span.end)
        if let charStart = span.charStart, let charEnd = span.charEnd {
            json.field("char_start", charStart)
            json.field("char_end", charEnd)
        }
        json.field("new_tokens", span.newTokens)
        json.field("kind", span.kind.rawValue)
        // Rounded down: a printed similarity never claims more than the alignment reached.
        json.field("similarity", span.similarity, digits: 6, rule: .down)
        json.key("edits")
        json.beginObject()
        json.field("substitutions", span.edits.substitutions)
        json.field("insertions", span.edits.insertions)
        json.field("deletions", span.edits.deletions)
        json.endObject()
        if let coreStart = span.coreStart, let coreEnd = span.coreEnd {
            json.key("core")
            json.beginObject()
            json.field("start", coreStart)
            json.field("end", coreEnd)
            json.endObject()
        }
        json.field("record", span.record)
        json.field("record_start", span.recordStart)
        json.field("record_end", span.recordEnd)
        json.field("records", span.records)
        json.field("records_capped", span.recordsCapped)
        json.key("record_ids")
        json.beginArray()
        for id in span.recordIDs { json.string(id) }
        json.endArray()
        json.field("rarity", span.rarity.rawValue)
        json.key("self")
        if let isSelf = span.isSelf { json.bool(isSelf) } else { json.null() }
        json.key("in_reference")
        if let inReference = span.inReference { json.bool(inReference) } else { json.null() }
        json.key("sensitive")
        json.beginArray()
        for category in span.sensitive { json.string(category) }
        json.endArray()
        json.field("risk", span.risk.description)
        json.endObject()
    }
}
