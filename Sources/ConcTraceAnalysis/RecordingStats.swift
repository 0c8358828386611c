/// What `conctrace.stats` says about recording: the one marked final wins, else the latest by time.
struct RecordingStats {
    var timestamp: Int64
    var events: Int64?
    var dropped: Int64?
    var lost: Int64?
    var nsPerEvent: Double?
    var isFinal: Bool
}
