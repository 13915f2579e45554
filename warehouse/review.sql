-- The review of every target table (see review.go): the rows the rules read, computed once
-- over the whole warehouse. Double-braced names are the review options, replaced by numbered
-- placeholders; the one named findings is the union of the rules' fragments. The statement yields one
-- row per finding and one row per table without findings (rule NULL), with the table's score.
WITH ri AS (
    -- Indicator rows, with whether each is a cost row (成本指标 as the level-1 of the 2021
    -- taxonomy or the level-2 of the legacy one) and the row as findings point at it.
    SELECT i.id, i.project_id, i.seq, i.year, i.level1_canonical, i.level2_canonical, i.level3,
           i.value_raw, i.value_kind, i.value_comparator, i.value_number, i.value_unit,
           i.norm_value, i.norm_unit, i.deadline, i.range_start, i.cost_ceiling, i.placeholder,
           (i.level1_canonical = '成本指标' OR i.level2_canonical = '成本指标') AS is_cost,
           i.level3 || chr(31) || i.value_raw AS t,  -- the row as a near-duplicate compares it
           struct_pack(id := i.id, seq := i.seq, level1 := i.level1, level2 := i.level2,
                       level3 := i.level3, raw := i.value_raw, line := i.source_line,
                       place := i.place) AS ref
    FROM indicators i
),
rp AS (
    -- Target tables with their indicator counts and the level-1 categories they have.
    SELECT p.id AS project_id, p.document_id, p.seq, p.unit_code, p.department, p.year,
           p.layout, p.taxonomy, p.kind AS project_kind, p.name, p.budget_total,
           coalesce(s.n, 0) AS n, coalesce(s.n_quant, 0) AS n_quant,
           coalesce(s.n_cost, 0) AS n_cost, coalesce(s.l1s, []::VARCHAR[]) AS l1s
    FROM projects p
    LEFT JOIN (
        SELECT project_id, count(*) AS n,
               count(*) FILTER (WHERE value_kind <> 'TEXT' AND NOT placeholder) AS n_quant,
               count(*) FILTER (WHERE is_cost) AS n_cost,
               list_distinct(list(level1_canonical)) AS l1s
        FROM ri GROUP BY project_id
    ) s ON s.project_id = p.id
),
flags AS (
    -- The row-level tests, once per row.
    SELECT ri.*,
           value_number IS NOT NULL AND coalesce(value_unit, '') = '' AND value_kind <> 'DEADLINE'
               AND NOT placeholder AS f_no_unit,
           value_kind = 'PERCENT' AND value_number >= 100 AND value_comparator IN ('GE', 'GT', 'EQ')
               AND NOT placeholder AS f_full_rate,
           value_kind = 'TEXT' AND NOT placeholder AND regexp_matches(value_raw, {{winPattern}}) AS f_win,
           value_kind = 'TEXT' AND NOT placeholder AND NOT regexp_matches(value_raw, {{winPattern}})
               AND regexp_matches(value_raw, {{vaguePattern}}) AS f_vague,
           level1_canonical = '满意度指标' AND value_kind = 'PERCENT' AND NOT placeholder
               AND value_comparator IN ('GE', 'GT', 'EQ') AND value_number < {{satisfactionFloor}} AS f_low_satisfaction,
           deadline IS NOT NULL AND (year(deadline) <> year OR year(coalesce(range_start, deadline)) <> year) AS f_deadline
    FROM ri
),
tok AS (
    -- Each table's indicator set for near-duplicates: distinct (三级指标, 指标值) pairs.
    SELECT DISTINCT project_id, t
    FROM ri WHERE NOT placeholder
),
tsize AS (
    SELECT project_id, count(*) AS n FROM tok GROUP BY project_id HAVING count(*) >= {{minPairs}}
),
tdf AS (
    -- How many tables (of enough size) hold each pair: a pair held by more than maxPairTables
    -- is too common to propose a comparison (it still counts in the similarity).
    SELECT tok.project_id, tok.t, count(*) OVER (PARTITION BY tok.t) AS df
    FROM tok JOIN tsize USING (project_id)
),
cand AS (
    SELECT DISTINCT a.project_id AS a, b.project_id AS b
    FROM tdf a JOIN tdf b ON a.t = b.t AND a.project_id < b.project_id
    WHERE a.df <= {{maxPairTables}}
),
shared AS (
    SELECT c.a, c.b, count(*) AS shared
    FROM cand c
    JOIN tok ta ON ta.project_id = c.a
    JOIN tok tb ON tb.project_id = c.b AND tb.t = ta.t
    GROUP BY c.a, c.b
),
sim AS (
    -- Jaccard similarity of the two sets, both ways round.
    SELECT s.a, s.b, s.shared, sa.n AS na, sb.n AS nb,
           s.shared::DOUBLE / (sa.n + sb.n - s.shared) AS j
    FROM shared s JOIN tsize sa ON sa.project_id = s.a JOIN tsize sb ON sb.project_id = s.b
),
pairs AS (
    SELECT a AS project_id, b AS other, shared, na AS n, nb AS other_n, j FROM sim WHERE j >= {{similarity}}
    UNION ALL
    SELECT b, a, shared, nb, na, j FROM sim WHERE j >= {{similarity}}
),
best AS (
    -- The table each one most resembles; ties go to the lowest id.
    SELECT * FROM (
        SELECT pairs.*, row_number() OVER (PARTITION BY project_id ORDER BY j DESC, other) AS rk,
               count(*) OVER (PARTITION BY project_id) AS matches
        FROM pairs
    ) WHERE rk = 1
),
findings AS (
{{findings}}
),
weighted AS (
    SELECT f.*, {{severity}} AS severity FROM findings f
)
SELECT rp.project_id, rp.document_id, rp.seq, rp.unit_code, rp.department, rp.year, rp.layout,
       rp.taxonomy, rp.project_kind, w.rule, w.severity,
       CASE w.severity WHEN 'HIGH' THEN {{weightHigh}} WHEN 'MEDIUM' THEN {{weightMedium}}
                       WHEN 'LOW' THEN {{weightLow}} END AS weight,
       w.rows, w.message, w.similar_id, w.similarity,
       greatest(0, 100 - coalesce(sum(CASE w.severity WHEN 'HIGH' THEN {{weightHigh}} WHEN 'MEDIUM' THEN {{weightMedium}}
                       WHEN 'LOW' THEN {{weightLow}} END) OVER (PARTITION BY rp.project_id), 0)) AS score
FROM rp LEFT JOIN weighted w ON w.project_id = rp.project_id
