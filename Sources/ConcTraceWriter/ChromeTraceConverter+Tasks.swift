#if canImport(Glibc)
import Glibc
#endif
import ConcTraceRecorder

/// A task as the converter follows it between its events: what it is called, who made it, and the state it is in
/// since when. 64 bytes.
struct TaskTrack {
    var parent: UInt64
    var created: UInt64
    /// When the current state began.
    var since: UInt64
    /// The task's index in its run (shown in its name), when `hasIndex`.
    var index: UInt64
    /// The open `spawn` and `wake` arrows that end at the task's next slice (0: none).
    var spawnFlow: UInt64
    var wakeFlow: UInt64
    var label: TaskLabel
    /// The worker it ran on last (or was created on).
    var worker: UInt32
    var state: TaskState
    var reason: WaitReason
    var hasIndex: Bool
    /// Whether it has had a running slice.
    var hasRun: Bool
    /// Whether a table slot holds a task (false: an empty slot).
    var isHeld = true

    /// An empty slot of a `TaskTable`.
    static let empty = TaskTrack(parent: 0, created: 0, since: 0, index: 0, spawnFlow: 0, wakeFlow: 0, label: .none,
                                 worker: 0, state: .created, reason: .none, hasIndex: false, hasRun: false,
                                 isHeld: false)
}

/// The tasks in flight, by id, for the converter: a table of fixed chunks indexed by the id, not a hash table.
///
/// Every process numbers its tasks 1, 2, 3 ... (`Recorder.makeTaskID`), so ids are dense and the tasks in flight
/// sit in a few chunks: finding a task is an index, not a hash. A chunk is freed once all its tasks have ended and
/// a later chunk has been used (ids move on), so memory follows the tasks in flight, not all the tasks ever made.
/// Ids past the directory's reach (2^30) go through a dictionary of chunks, which is slower but still correct.
struct TaskTable: ~Copyable {
    private struct Chunk {
        var slots: UnsafeMutablePointer<TaskTrack>
        var live: Int
    }

    private static let shift = 10
    private static let chunkSize = 1 << shift
    private static let directoryLimit: UInt64 = 1 << 20

    private var near: [Chunk?] = []
    private var far: [UInt64: Chunk] = [:]
    private var highestChunk: UInt64 = 0
    /// Tasks held.
    private(set) var count = 0

    init() {}

    deinit {
        for chunk in near { chunk?.slots.deallocate() }
        for chunk in far.values { chunk.slots.deallocate() }
    }

    /// The slot of task `id` if it is held, for reading or changing it in place (valid until the next insert or
    /// remove).
    func find(_ id: UInt64) -> UnsafeMutablePointer<TaskTrack>? {
        let number = id >> Self.shift
        let chunk: Chunk?
        if number < UInt64(near.count) {
            chunk = near[Int(number)]
        } else if number >= Self.directoryLimit {
            chunk = far[number]
        } else {
            return nil
        }
        guard let slots = chunk?.slots else { return nil }
        let slot = slots + Int(id & UInt64(Self.chunkSize - 1))
        return slot.pointee.isHeld ? slot : nil
    }

    /// Holds `track` as task `id` (replacing what was there).
    mutating func insert(_ track: TaskTrack, as id: UInt64) {
        let number = id >> Self.shift
        highestChunk = max(highestChunk, number)
        let offset = Int(id & UInt64(Self.chunkSize - 1))
        let added: Bool
        if number < Self.directoryLimit {
            if number >= UInt64(near.count) {
                near.append(contentsOf: repeatElement(nil, count: Int(number) + 1 - near.count))
            }
            if near[Int(number)] == nil { near[Int(number)] = Self.makeChunk() }
            added = Self.store(track, in: &near[Int(number)]!, at: offset)
        } else {
            if far[number] == nil { far[number] = Self.makeChunk() }
            added = Self.store(track, in: &far[number]!, at: offset)
        }
        if added { count += 1 }
    }

    /// Removes task `id` and returns it, if it was held.
    mutating func remove(_ id: UInt64) -> TaskTrack? {
        let number = id >> Self.shift
        let offset = Int(id & UInt64(Self.chunkSize - 1))
        var removed: TaskTrack?
        if number < UInt64(near.count), near[Int(number)] != nil {
            removed = Self.take(from: &near[Int(number)]!, at: offset)
            if near[Int(number)]!.live == 0, number < highestChunk {
                near[Int(number)]!.slots.deallocate()
                near[Int(number)] = nil
            }
        } else if number >= Self.directoryLimit, far[number] != nil {
            removed = Self.take(from: &far[number]!, at: offset)
            if far[number]!.live == 0, number < highestChunk {
                far.removeValue(forKey: number)?.slots.deallocate()
            }
        }
        if removed != nil { count -= 1 }
        return removed
    }

    /// Stores `track` in its slot; returns whether the slot was empty.
    private static func store(_ track: TaskTrack, in chunk: inout Chunk, at offset: Int) -> Bool {
        let wasEmpty = !chunk.slots[offset].isHeld
        if wasEmpty { chunk.live += 1 }
        chunk.slots[offset] = track
        chunk.slots[offset].isHeld = true
        return wasEmpty
    }

    private static func take(from chunk: inout Chunk, at offset: Int) -> TaskTrack? {
        let track = chunk.slots[offset]
        guard track.isHeld else { return nil }
        chunk.slots[offset] = .empty
        chunk.live -= 1
        return track
    }

    private static func makeChunk() -> Chunk {
        let slots = UnsafeMutablePointer<TaskTrack>.allocate(capacity: chunkSize)
        slots.initialize(repeating: .empty, count: chunkSize)
        return Chunk(slots: slots, live: 0)
    }
}

/// The task running on each worker (0: none), by worker id: an array, as worker ids are small and dense.
struct WorkerTable {
    private var running: [UInt64] = []
    private var far: [UInt32: UInt64] = [:]
    private static let arrayLimit: UInt32 = 1 << 16

    subscript(worker: UInt32) -> UInt64 {
        get {
            if worker < Self.arrayLimit { return Int(worker) < running.count ? running[Int(worker)] : 0 }
            return far[worker] ?? 0
        }
        set {
            if worker < Self.arrayLimit {
                if Int(worker) >= running.count {
                    running.append(contentsOf: repeatElement(0, count: Int(worker) + 1 - running.count))
                }
                running[Int(worker)] = newValue
            } else {
                far[worker] = newValue == 0 ? nil : newValue
            }
        }
    }
}
