/// Colours that stay apart for readers with any common colour-vision deficiency: the Okabe-Ito palette, on a
/// white page. Series also differ by marker shape and dash, so no chart depends on colour alone.
enum Palette {
    /// The Okabe-Ito colours, most distinct first (black left out: it is the text colour).
    static let colors = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#7F6A00", "#444444"]

    /// Each known strategy keeps its colour on every chart of the page.
    private static let knownStrategies = ["threads": 0, "async": 2, "eventloop": 3, "processes": 4, "sequential": 7]

    /// A style per series: the colour (and marker) says the strategy, the same on every chart of the page; the
    /// dash says the workload, when a page holds more than one. Unknown strategies (foreign traces) take the free
    /// colours in order of first appearance.
    static func styles(for series: [(strategy: String, workload: String?)]) -> [SeriesStyle] {
        var colorOf = knownStrategies
        var free = (0..<colors.count).filter { !knownStrategies.values.contains($0) } + knownStrategies.values.sorted()
        var workloads: [String] = []
        return series.map { entry in
            if colorOf[entry.strategy] == nil {
                let index = free.first { !colorOf.values.contains($0) } ?? colorOf.count
                colorOf[entry.strategy] = index
                free.removeAll { $0 == index }
            }
            var variant = 0
            if let workload = entry.workload {
                if !workloads.contains(workload) { workloads.append(workload) }
                variant = workloads.firstIndex(of: workload)!
            }
            return SeriesStyle(color: colorOf[entry.strategy]!, variant: variant)
        }
    }

    /// The colour of style `index`.
    static func color(_ index: Int) -> String {
        colors[((index % colors.count) + colors.count) % colors.count]
    }

    /// A task's colour on the timeline: neighbouring task ids get different colours.
    static func color(task: UInt64) -> String {
        colors[Int(task % UInt64(colors.count - 1))]
    }

    /// The task states of the sample rows.
    static let running = "#0072B2"
    static let ready = "#E69F00"
    static let waiting = "#B8C4CE"

    /// Marker shapes, by style index: circle, square, triangle, diamond.
    enum Marker: CaseIterable {
        case circle, square, triangle, diamond

        static func at(_ index: Int) -> Marker { allCases[((index % 4) + 4) % 4] }

        /// The marker centred at (x, y), filled or hollow.
        func svg(x: Double, y: Double, color: String, filled: Bool = true) -> String {
            let fill = filled ? color : "#fff"
            let style = "fill=\"\(fill)\" stroke=\"\(color)\" stroke-width=\"1.5\""
            let (cx, cy) = (HTMLText.px(x), HTMLText.px(y))
            switch self {
            case .circle:
                return "<circle cx=\"\(cx)\" cy=\"\(cy)\" r=\"3.5\" \(style)/>"
            case .square:
                return "<rect x=\"\(HTMLText.px(x - 3.2))\" y=\"\(HTMLText.px(y - 3.2))\" width=\"6.4\" height=\"6.4\" \(style)/>"
            case .triangle:
                return "<path d=\"M\(cx) \(HTMLText.px(y - 4.2))L\(HTMLText.px(x + 4)) \(HTMLText.px(y + 3))"
                    + "L\(HTMLText.px(x - 4)) \(HTMLText.px(y + 3))Z\" \(style)/>"
            case .diamond:
                return "<path d=\"M\(cx) \(HTMLText.px(y - 4.5))L\(HTMLText.px(x + 4.5)) \(cy)L\(cx) "
                    + "\(HTMLText.px(y + 4.5))L\(HTMLText.px(x - 4.5)) \(cy)Z\" \(style)/>"
            }
        }
    }

    /// Dash patterns, by variant (solid first).
    static func dash(_ index: Int) -> String {
        ["", "6 3", "2 3", "8 3 2 3"][((index % 4) + 4) % 4]
    }
}

/// How one series is drawn: its colour and marker (by strategy) and its dash (by workload).
struct SeriesStyle: Hashable {
    var color: Int
    var variant: Int

    var stroke: String { Palette.color(color) }
    var marker: Palette.Marker { .at(color) }
    var dash: String { Palette.dash(variant) }
}
