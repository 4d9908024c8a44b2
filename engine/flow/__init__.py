"""Flow: the step graph, the schedule (stages, slack, critical path) and the analysis (merged materials, the reductions)."""
