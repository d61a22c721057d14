#include "common/TaskPool.h"

#include <algorithm>

namespace featurescope {

TaskPool::TaskPool(int threads)
{
    for (int i = 1; i < threads; ++i)
        m_helpers.emplace_back(&TaskPool::helperLoop, this, i);
}

TaskPool::~TaskPool()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    for (auto& t : m_helpers)
        t.join();
}

void TaskPool::run(int tasks, const std::function<void(int)>& f)
{
    const int helpers = std::min(int(m_helpers.size()), tasks - 1);
    if (helpers > 0) {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_job = &f;
        m_active = helpers;
        m_pending = helpers;
        ++m_generation;
    }
    if (helpers > 0)
        m_wake.notify_all();
    f(0);
    // Tasks no helper takes (more tasks than threads) run here.
    for (int t = helpers + 1; t < tasks; ++t)
        f(t);
    if (helpers > 0) {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_done.wait(lock, [this] { return m_pending == 0; });
        m_job = nullptr;
    }
}

void TaskPool::helperLoop(int index)
{
    long seen = 0;
    while (true) {
        const std::function<void(int)>* job = nullptr;
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_wake.wait(lock, [&] { return m_stop || m_generation != seen; });
            if (m_stop)
                return;
            seen = m_generation;
            if (index > m_active)
                continue; // this job has fewer tasks than threads

            job = m_job;
        }
        (*job)(index);
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            --m_pending;
        }
        m_done.notify_one();
    }
}

} // namespace featurescope
