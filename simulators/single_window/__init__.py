"""The simulated 中国国际贸易单一窗口 data interface (docs/single_window_protocol.md): declarations, bonded lists,
receipts, 申报, and faults on demand."""
