import CLinux
import ConcTraceRecorder
import Dispatch
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

import ConcTraceSystem
@testable import ConcTraceExecutors

/// Values shared with tasks and threads in a test.
final class Log<Value: Sendable>: Sendable {
    private let values = Locked<[Value]>([])
    func append(_ value: Value) { values.withLock { $0.append(value) } }
    var all: [Value] { values.withLock { $0 } }
}

/// Starts a loop, runs `body` as a task on it, waits (bounded) for it to end, stops the loop.
func onLoop(timeout: Double = 20, _ body: @escaping @Sendable (EventLoop) async -> Void) throws -> Bool {
    let recorder = Recorder(configuration: .init(enabled: false), sink: nil)
    let loop = try EventLoop(recorder: recorder, laneCapacity: 16)
    try loop.start()
    let finished = DispatchSemaphore(value: 0)
    Task(executorPreference: loop) {
        await body(loop)
        finished.signal()
    }
    let ended = finished.wait(timeout: .now() + timeout) == .success
    if ended { loop.stop() }
    return ended
}

@Suite("EventLoop")
struct EventLoopTests {
    @Test("tasks made ready on the loop run in the order they became ready, all on the loop thread")
    func fifo() throws {
        let order = Log<Int>()
        let threads = Log<UInt>()
        let ended = try onLoop { loop in
            await withDiscardingTaskGroup { group in
                for index in 0..<200 {
                    group.addTask(executorPreference: loop) {
                        order.append(index)
                        threads.append(pthread_self())
                    }
                }
            }
        }
        #expect(ended)
        #expect(order.all == Array(0..<200))
        #expect(Set(threads.all).count == 1)
    }

    @Test("timers fire in deadline order, and no earlier than asked")
    func timers() throws {
        let order = Log<Int>()
        let ended = try onLoop { loop in
            await withDiscardingTaskGroup { group in
                // Added longest first; deadlines 4 ms apart.
                for index in (0..<8).reversed() {
                    group.addTask(executorPreference: loop) {
                        let start = MonotonicClock.now()
                        let wait = UInt64(index + 1) * 4_000_000
                        await loop.sleep(nanoseconds: wait)
                        #expect(MonotonicClock.now() - start >= wait)
                        order.append(index)
                    }
                }
            }
        }
        #expect(ended)
        #expect(order.all == Array(0..<8))
    }

    @Test("wake-ups from other threads are never lost")
    func remoteWakeUps() throws {
        // 2,000 tasks each park a continuation; four other threads resume them in small paced batches, so wake-ups
        // arrive both while the loop is busy and while it sleeps in epoll_wait.
        final class Shared: Sendable {
            // A pthread lock, so Thread Sanitizer sees the hand-off of each continuation (see Locked).
            let parked = Locked<[UnsafeContinuation<Void, Never>]>([])
            let resumedOnLoop = Atomic<Int>(0)
            let stop = Atomic<Bool>(false)
        }
        let count = 2_000
        let shared = Shared()
        var resumers: [OSThread] = []
        for number in 0..<4 {
            resumers.append(try OSThread(name: "resumer-\(number)") {
                while !shared.stop.load(ordering: .acquiring) {
                    let batch = shared.parked.withLock { list -> [UnsafeContinuation<Void, Never>] in
                        let taken = Array(list.prefix(25))
                        list.removeFirst(taken.count)
                        return taken
                    }
                    batch.forEach { $0.resume() }
                    usleep(batch.isEmpty ? 50 : 300)
                }
            })
        }
        let ended = try onLoop { loop in
            await withDiscardingTaskGroup { group in
                for _ in 0..<count {
                    group.addTask(executorPreference: loop) {
                        await withUnsafeContinuation { continuation in
                            shared.parked.withLock { $0.append(continuation) }
                        }
                        if loop.inLoopThread { shared.resumedOnLoop.wrappingAdd(1, ordering: .relaxed) }
                    }
                }
            }
        }
        shared.stop.store(true, ordering: .releasing)
        resumers.forEach { $0.join() }
        #expect(ended)
        #expect(shared.resumedOnLoop.load(ordering: .relaxed) == count)
    }

    @Test("a watched file descriptor's readiness runs its callback on the loop")
    func watchedDescriptor() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let (readEnd, writeEnd) = (fds[0], fds[1])
        defer { close(readEnd); close(writeEnd) }
        let received = Log<UInt8>()
        let writer = try OSThread(name: "writer") {
            usleep(20_000)
            var byte: UInt8 = 42
            _ = write(writeEnd, &byte, 1)
        }
        let ended = try onLoop { loop in
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                try? loop.watch(readEnd, events: EPOLLIN.rawValue) { _ in
                    var byte: UInt8 = 0
                    _ = read(readEnd, &byte, 1)
                    received.append(byte)
                    loop.unwatch(readEnd)
                    continuation.resume()
                }
            }
        }
        writer.join()
        #expect(ended)
        #expect(received.all == [42])
    }
}

@Suite("TimerHeap")
struct TimerHeapTests {
    @Test("pops in deadline order, equal deadlines first-in first-out, only when due")
    func order() {
        var heap = TimerHeap<Int>()
        var deadlines: [UInt64] = []
        var generator = SystemRandomNumberGenerator()
        for index in 0..<500 {
            let deadline = UInt64.random(in: 1...50, using: &generator)
            heap.insert(deadline: deadline, index)
            deadlines.append(deadline)
        }
        #expect(heap.popDue(now: 0) == nil)
        let expected = deadlines.indices.sorted { (deadlines[$0], $0) < (deadlines[$1], $1) }
        var popped: [Int] = []
        while let next = heap.popDue(now: 50) { popped.append(next) }
        #expect(popped == expected)
        #expect(heap.isEmpty)
        heap.insert(deadline: 10, 1)
        #expect(heap.popDue(now: 9) == nil)
        #expect(heap.nextDeadline == 10)
        #expect(heap.popDue(now: 10) == 1)
    }
}
