// BackgroundJob runs its work off Qt's global thread pool. Qt's raster painting splits large image conversions into
// tasks on the global pool and blocks until they ran; with long jobs filling that pool (two threads on a 2-core
// machine) the window stopped repainting and took no clicks until a job ended, which the first start (default
// language model training beside the panels' own training) made visible for a minute.
#include "common/BackgroundJob.h"

#include <QElapsedTimer>
#include <QTest>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrent>

#include <atomic>
#include <memory>
#include <vector>

class TestBackgroundJob : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void longJobsLeaveQtsPoolFree()
    {
        std::atomic<bool> release{false};
        std::atomic<int> running{0};
        const int count = QThreadPool::globalInstance()->maxThreadCount() + 2;
        std::vector<std::unique_ptr<BackgroundJob>> jobs;
        for (int i = 0; i < count; ++i) {
            jobs.push_back(std::make_unique<BackgroundJob>(QStringLiteral("blocking")));
            jobs.back()->start([&](const featurescope::ProgressReporter& progress) {
                ++running;
                while (!release.load() && !progress.isCancelled())
                    QThread::msleep(2);
            });
        }
        QElapsedTimer clock;
        clock.start();
        while (running.load() < count && clock.elapsed() < 10000)
            QThread::msleep(5);
        QCOMPARE(running.load(), count); // every job runs at once: none waits behind another
        QCOMPARE(QThreadPool::globalInstance()->activeThreadCount(), 0);
        // What Qt's painting does: a short task on the global pool, waited for.
        QFuture<int> task = QtConcurrent::run([] { return 42; });
        clock.restart();
        while (!task.isFinished() && clock.elapsed() < 5000)
            QThread::msleep(2);
        QVERIFY2(task.isFinished(), "a task on Qt's global pool waited behind background jobs");
        QCOMPARE(task.result(), 42);
        release = true;
        for (auto& job : jobs)
            job->waitForFinished();
        QVERIFY(!jobs.front()->isRunning());
    }

    void cancelEndsTheWork()
    {
        BackgroundJob job(QStringLiteral("cancelled"));
        BackgroundJob::Outcome outcome = BackgroundJob::Outcome::Succeeded;
        connect(&job, &BackgroundJob::finished, this, [&](BackgroundJob::Outcome o, const QString&) { outcome = o; });
        job.start([](const featurescope::ProgressReporter& progress) {
            while (!progress.isCancelled())
                QThread::msleep(1);
        });
        job.cancel();
        job.waitForFinished();
        QCOMPARE(int(outcome), int(BackgroundJob::Outcome::Cancelled));
    }
};

QTEST_MAIN(TestBackgroundJob)
#include "tst_background_job.moc"
