-- Map an offset in documents.text back to documents.raw_text through documents.offset_map.
create or replace macro raw_offset(offset_map, pos) as (
    list_filter(offset_map, lambda r: r.norm <= pos)[-1].raw
    + pos - list_filter(offset_map, lambda r: r.norm <= pos)[-1].norm
);
