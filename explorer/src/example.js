// The query the IDE at / opens with when it has none of its own (no ?query=, nothing kept from
// an earlier visit): one that runs as it is, instead of GraphiQL's stock welcome comment, whose
// Run says "no operation provided". Read by graphiql.jsx and console.js; TestIDEExampleRuns
// runs it against the real handler.
globalThis.JIXIAO_EXAMPLE_QUERY = `# jixiao 绩效 · GraphQL API
# 按 ▶ 或 Ctrl-Enter 运行；左侧 📖 是每个类型和字段的说明。
# Press ▶ or Ctrl-Enter to run; the 📖 on the left documents every type and field.

{
  # 仓库概况 What the warehouse holds
  summary { units projects indicators budgetTotal }

  # 预算：年度 × 单位 Budget by year and unit, as a table (also /export.csv?query=…)
  projectGroups(
    groupBy: [YEAR, UNIT]
    measures: [COUNT, BUDGET_TOTAL_SUM]
    orderBy: [{ measure: BUDGET_TOTAL_SUM, direction: DESC }]
    limit: 10
  ) {
    table { columns { name } rows }
  }
}
`;
