"""The timing screen's widgets: they draw what screens hand them, never read the event."""
