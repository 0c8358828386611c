// ConcTraceSiteServer: the site server the `download` workload fetches from (`conctrace serve`, and embedded in
// `conctrace run --workload download`). Built in its own module so that the recorder and the strategies never
// depend on SwiftNIO.
