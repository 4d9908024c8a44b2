"""BPMN 2.0 export: the flow graph and its diagram layout, the XML writer, and one module per target engine flavour."""
