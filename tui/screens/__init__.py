"""Screens: dashboard, drill-downs, help."""
