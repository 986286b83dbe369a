"""Printed outputs (reportlab): leaflets now; panel minutes and the quarterly report to follow."""
