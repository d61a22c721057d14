// `featurescope sae-sweep` end to end: each point is exactly the `sae` run with that value and seed (the same
// options parsed the same way), the means and standard deviations are those of its runs, a stronger penalty gives a
// sparser dictionary, the Pareto front is the set of points no other beats on both L0 and MSE, and bad sweeps are
// one line.
#include "app/CliRun.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <cmath>

namespace {

QJsonObject runJson(const QStringList& arguments)
{
    const CliRun run = CliRun::run(arguments + QStringList{QStringLiteral("--json")});
    if (run.exitCode != 0)
        qWarning("stderr: %s", run.err.constData());
    return QJsonDocument::fromJson(run.out).object();
}

const QStringList kSmall{QStringLiteral("--steps"), QStringLiteral("300"), QStringLiteral("--d-sae"), QStringLiteral("128"),
                         QStringLiteral("--eval"), QStringLiteral("2048")};

} // namespace

class TestCliSaeSweep : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        if (qEnvironmentVariable("FEATURESCOPE_BINARY").isEmpty())
            QSKIP("FEATURESCOPE_BINARY is not set (run through ctest)");
    }

    void l1SweepMatchesSingleRuns()
    {
        const QJsonObject sweep = runJson(QStringList{QStringLiteral("sae-sweep"), QStringLiteral("--l1"),
                                                      QStringLiteral("0.001,0.03"), QStringLiteral("--seeds"),
                                                      QStringLiteral("2"), QStringLiteral("--seed"), QStringLiteral("5")} +
                                          kSmall);
        QCOMPARE(sweep.value(QStringLiteral("parameter")).toString(), QStringLiteral("l1"));
        const QJsonArray points = sweep.value(QStringLiteral("points")).toArray();
        QCOMPARE(points.size(), 2);
        for (const auto& p : points) {
            const QJsonObject point = p.toObject();
            const QJsonArray runs = point.value(QStringLiteral("runs")).toArray();
            QCOMPARE(runs.size(), 2);
            double sum = 0.0;
            for (int s = 0; s < 2; ++s) {
                const QJsonObject run = runs[s].toObject();
                QCOMPARE(run.value(QStringLiteral("seed")).toInt(), 5 + s);
                // The same run through `sae`: identical numbers.
                const QJsonObject single = runJson(
                    QStringList{QStringLiteral("sae"), QStringLiteral("--l1"),
                                QString::number(point.value(QStringLiteral("value")).toDouble()), QStringLiteral("--seed"),
                                QString::number(5 + s)} + kSmall);
                for (const char* key : {"l0", "mse", "explained_variance", "mmcs", "mcc"})
                    QVERIFY2(run.value(QLatin1String(key)).toDouble() == single.value(QLatin1String(key)).toDouble(), key);
                sum += run.value(QStringLiteral("l0")).toDouble();
            }
            const QJsonObject mean = point.value(QStringLiteral("mean")).toObject();
            QVERIFY(std::abs(mean.value(QStringLiteral("l0")).toDouble() - sum / 2.0) < 1e-9);
            const double a = runs[0].toObject().value(QStringLiteral("l0")).toDouble();
            const double b = runs[1].toObject().value(QStringLiteral("l0")).toDouble();
            QVERIFY(std::abs(point.value(QStringLiteral("std")).toObject().value(QStringLiteral("l0")).toDouble() -
                             std::abs(a - b) / std::sqrt(2.0)) < 1e-9);
        }
        const double l0Weak = points[0].toObject().value(QStringLiteral("mean")).toObject().value(QStringLiteral("l0")).toDouble();
        const double l0Strong = points[1].toObject().value(QStringLiteral("mean")).toObject().value(QStringLiteral("l0")).toDouble();
        QVERIFY2(l0Strong < l0Weak, qPrintable(QStringLiteral("%1 %2").arg(l0Strong).arg(l0Weak)));
        // Weaker penalty: lower MSE, higher L0; neither dominates, so both are on the front.
        QCOMPARE(sweep.value(QStringLiteral("pareto_front")).toArray().size(), 2);
    }

    void kSweepAndParetoFront()
    {
        const QJsonObject sweep = runJson(QStringList{QStringLiteral("sae-sweep"), QStringLiteral("--variant"),
                                                      QStringLiteral("topk"), QStringLiteral("--k"), QStringLiteral("2,8"),
                                                      QStringLiteral("--seeds"), QStringLiteral("1")} + kSmall);
        const QJsonArray points = sweep.value(QStringLiteral("points")).toArray();
        QCOMPARE(points.size(), 2);
        // TopK's L0 is k (up to latents that are exactly zero).
        for (const auto& p : points) {
            const QJsonObject point = p.toObject();
            QVERIFY(point.value(QStringLiteral("mean")).toObject().value(QStringLiteral("l0")).toDouble() <=
                    point.value(QStringLiteral("value")).toDouble() + 1e-9);
        }
        QCOMPARE(points[0].toObject().value(QStringLiteral("std")).toObject().value(QStringLiteral("l0")).toDouble(), 0.0);
        for (const auto& index : sweep.value(QStringLiteral("pareto_front")).toArray())
            QVERIFY(points[index.toInt()].toObject().value(QStringLiteral("pareto")).toBool());
    }

    void badSweeps_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("nothing to sweep") << QStringList{} << QStringLiteral("exactly one of --l1");
        QTest::newRow("both") << QStringList{QStringLiteral("--l1"), QStringLiteral("0.1"), QStringLiteral("--k"), QStringLiteral("3")} << QStringLiteral("exactly one of --l1");
        QTest::newRow("k without topk") << QStringList{QStringLiteral("--k"), QStringLiteral("3,4")} << QStringLiteral("--variant topk");
        QTest::newRow("l1 with topk") << QStringList{QStringLiteral("--variant"), QStringLiteral("topk"), QStringLiteral("--l1"), QStringLiteral("0.1")} << QStringLiteral("no sparsity coefficient");
        QTest::newRow("negative l1") << QStringList{QStringLiteral("--l1"), QStringLiteral("0.1,-2")} << QStringLiteral("--l1 expects");
        QTest::newRow("fractional k") << QStringList{QStringLiteral("--variant"), QStringLiteral("topk"), QStringLiteral("--k"), QStringLiteral("2.5")} << QStringLiteral("--k expects");
        QTest::newRow("save") << QStringList{QStringLiteral("--l1"), QStringLiteral("0.1"), QStringLiteral("--save"), QStringLiteral("dir")} << QStringLiteral("not to a sweep");
        QTest::newRow("zero seeds") << QStringList{QStringLiteral("--l1"), QStringLiteral("0.1"), QStringLiteral("--seeds"), QStringLiteral("0")} << QStringLiteral("--seeds");
        QTest::newRow("bad sae option") << QStringList{QStringLiteral("--l1"), QStringLiteral("0.1"), QStringLiteral("--batch"), QStringLiteral("0")} << QStringLiteral("--batch");
    }

    void badSweeps()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        const CliRun r = CliRun::run(QStringList{QStringLiteral("sae-sweep")} + arguments);
        QCOMPARE(r.exitCode, 2);
        const QString err = QString::fromUtf8(r.err).trimmed();
        QVERIFY2(err.contains(message), qPrintable(err));
        QVERIFY2(!err.contains(QLatin1Char('\n')), qPrintable(err));
        QVERIFY(r.out.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestCliSaeSweep)
#include "tst_cli_sae_sweep.moc"
