// measureLossTrend: a run stopped on its way down reads "still falling", a plateau (with per-batch noise), a short
// history and a diverged run do not.

#include "toy/LossTrend.h"

#include <QTest>

#include <cmath>
#include <limits>
#include <random>

using featurescope::measureLossTrend;

class TestLossTrend : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void trends()
    {
        std::mt19937 rng(3);
        std::normal_distribution<float> noise(0.0f, 0.01f);
        std::vector<float> falling, plateau;
        for (int step = 0; step < 2000; ++step) {
            falling.push_back(0.1f * std::exp(-step / 1500.0f) * (1.0f + noise(rng)));
            plateau.push_back(0.1f * (1.0f + std::exp(-step / 100.0f)) * (1.0f + noise(rng)));
        }
        const auto down = measureLossTrend(falling);
        QVERIFY(down.stillFalling);
        QVERIFY(down.relativeDrop > 0.1 && down.relativeDrop < 0.15); // 1 - exp(-200/1500) = 0.125
        const auto flat = measureLossTrend(plateau);
        QVERIFY(!flat.stillFalling);
        QVERIFY(std::abs(flat.relativeDrop) < 0.005);
        QVERIFY(!measureLossTrend({1.0f, 0.5f, 0.2f}).stillFalling); // too short to tell
        std::vector<float> diverged(100, 1.0f);
        diverged.back() = std::numeric_limits<float>::infinity();
        QVERIFY(!measureLossTrend(diverged).stillFalling);
    }
};

QTEST_GUILESS_MAIN(TestLossTrend)
#include "tst_loss_trend.moc"
