#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace featurescope {

// A few persistent threads that run one short parallel job at a time: run(tasks, f) calls f(0..tasks-1), task 0 on
// the calling thread, and returns when all are done. Starting threads per job costs more than a training step's
// half on a virtual machine (measured: SAE steps got slower with fresh threads per batch), so they are kept.
class TaskPool {
public:
    explicit TaskPool(int threads); // threads - 1 helpers are started; 1 runs everything inline
    ~TaskPool();
    TaskPool(const TaskPool&) = delete;
    TaskPool& operator=(const TaskPool&) = delete;

    int threads() const { return int(m_helpers.size()) + 1; }
    // f must not throw; tasks beyond threads() run on the calling thread after task 0.
    void run(int tasks, const std::function<void(int)>& f);

private:
    void helperLoop(int index);

    std::vector<std::thread> m_helpers;
    std::mutex m_mutex;
    std::condition_variable m_wake, m_done;
    const std::function<void(int)>* m_job = nullptr;
    int m_active = 0; // helpers 1..m_active take part in the current job
    long m_generation = 0;
    int m_pending = 0;
    bool m_stop = false;
};

} // namespace featurescope
