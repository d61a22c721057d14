// TaskPool: every task of every job runs exactly once, whatever the number of tasks and threads, and jobs repeat.
#include "common/TaskPool.h"

#include <QtTest>

#include <atomic>
#include <thread>

using namespace featurescope;

class TestTaskPool : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void runsEachTaskOnce_data()
    {
        QTest::addColumn<int>("threads");
        QTest::addColumn<int>("tasks");
        QTest::newRow("inline") << 1 << 3;
        QTest::newRow("fewer tasks than threads") << 4 << 2;
        QTest::newRow("as many") << 2 << 2;
        QTest::newRow("more tasks than threads") << 2 << 7;
    }
    void runsEachTaskOnce()
    {
        QFETCH(int, threads);
        QFETCH(int, tasks);
        TaskPool pool(threads);
        QCOMPARE(pool.threads(), threads);
        for (int job = 0; job < 500; ++job) {
            std::vector<std::atomic<int>> count(static_cast<std::size_t>(tasks));
            pool.run(tasks, [&](int t) { count[static_cast<std::size_t>(t)].fetch_add(1); });
            for (int t = 0; t < tasks; ++t)
                QCOMPARE(count[static_cast<std::size_t>(t)].load(), 1);
        }
    }
    void usesAnotherThread()
    {
        TaskPool pool(2);
        std::thread::id ids[2];
        pool.run(2, [&](int t) { ids[t] = std::this_thread::get_id(); });
        QCOMPARE(ids[0], std::this_thread::get_id());
        QVERIFY(ids[1] != ids[0]);
    }
};

QTEST_GUILESS_MAIN(TestTaskPool)
#include "tst_task_pool.moc"
