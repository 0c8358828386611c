// ConcTraceAnalysis: reads Chrome traces through ConcTraceFormat's streaming reader and computes the metrics of
// docs/metrics.md. It never imports the recorder: it knows traces only by their documented format.
