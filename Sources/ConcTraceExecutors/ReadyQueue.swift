#if canImport(Glibc)
import Glibc
#endif
import CLinux
import DequeModule

/// A blocking FIFO shared by the workers of a pool: the thread pool's ready queue.
///
/// `pop` blocks while the queue is empty and open; after `close`, it drains what is left and then returns nil.
/// Locking is fine here: this is the strategy being measured, not the recorder.
package final class ReadyQueue<Element: Sendable>: @unchecked Sendable {
    private var items = Deque<Element>()
    private var isClosed = false
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let nonEmpty = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    package init() {
        ct_mutex_init_adaptive(mutex)
        pthread_cond_init(nonEmpty, nil)
    }

    deinit {
        pthread_cond_destroy(nonEmpty)
        pthread_mutex_destroy(mutex)
        nonEmpty.deallocate()
        mutex.deallocate()
    }

    /// Appends an element and wakes one waiting worker.
    package func push(_ element: Element) {
        pthread_mutex_lock(mutex)
        items.append(element)
        pthread_mutex_unlock(mutex)
        pthread_cond_signal(nonEmpty)
    }

    /// No more elements will come: waiting workers wake and drain what is left.
    package func close() {
        pthread_mutex_lock(mutex)
        isClosed = true
        pthread_mutex_unlock(mutex)
        pthread_cond_broadcast(nonEmpty)
    }

    /// The next element, blocking while the queue is empty and open; nil once it is closed and empty.
    package func pop() -> Element? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while items.isEmpty && !isClosed {
            pthread_cond_wait(nonEmpty, mutex)
        }
        return items.popFirst()
    }
}
