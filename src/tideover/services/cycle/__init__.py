"""The daily cycle: inbox, inputs, the run itself, outcome KPIs and the KPI report."""
