// SyntheticActivationSource with structure: Zipfian firing rates follow (rank + 1)^-s and sum to the requested
// mean; in a hierarchy a child never fires without its parent, fires with the stated conditional probability, and
// mutually exclusive children never fire together; the inputs are exactly the directions weighted by the values;
// impossible structures are refused with one line.
#include "common/InputError.h"
#include "sae/SyntheticActivationSource.h"

#include <QtTest>

#include <cmath>

using namespace featurescope;

namespace {

SyntheticActivationSource::Settings structured(double zipf, int parents, int children, bool exclusive)
{
    SyntheticActivationSource::Settings s;
    s.features = 64;
    s.dimension = 32;
    s.meanActive = 4.0;
    s.seed = 3;
    s.structure.zipfExponent = zipf;
    s.structure.parents = parents;
    s.structure.childrenPerParent = children;
    s.structure.childProbability = 0.4;
    s.structure.exclusiveChildren = exclusive;
    return s;
}

} // namespace

class TestSyntheticStructure : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void zipfianRates()
    {
        SyntheticActivationSource::Settings settings = structured(1.2, 0, 0, false);
        settings.meanActive = 2.0; // below the cap of probability 1 for the most frequent feature
        const SyntheticActivationSource source(settings);
        const std::vector<double>& p = source.featureProbability();
        QVERIFY(p[0] < 1.0);
        QVERIFY(std::abs(source.meanActiveFeatures() - 2.0) < 1e-9);
        for (int i : {1, 5, 20, 63}) // the law: p_i / p_0 = (i + 1)^-s
            QVERIFY(std::abs(p[std::size_t(i)] / p[0] - std::pow(i + 1.0, -1.2)) < 1e-9);
        // Measured: the empirical rate of feature 0 and of feature 3 within 5 standard errors.
        const EvaluationSet set = source.evaluationSet(40000, 7);
        for (int i : {0, 3}) {
            const double rate = double((set.trueActivations.row(i).array() != 0.0f).count()) / 40000.0;
            const double q = p[std::size_t(i)];
            QVERIFY2(std::abs(rate - q) < 5.0 * std::sqrt(q * (1 - q) / 40000.0),
                     qPrintable(QStringLiteral("feature %1: rate %2, expected %3").arg(i).arg(rate).arg(q)));
        }
    }

    void childrenFollowTheirParents_data()
    {
        QTest::addColumn<bool>("exclusive");
        QTest::newRow("independent children") << false;
        QTest::newRow("mutually exclusive children") << true;
    }
    void childrenFollowTheirParents()
    {
        QFETCH(bool, exclusive);
        const int P = 4, C = 3;
        const SyntheticActivationSource source(structured(0.0, P, C, exclusive));
        QCOMPARE(int(source.hierarchy().size()), P * C);
        const EvaluationSet set = source.evaluationSet(30000, 11);
        const Eigen::MatrixXf& v = set.trueActivations;
        for (int p = 0; p < P; ++p) {
            double parentActive = 0.0, childActive = 0.0;
            for (Eigen::Index s = 0; s < v.cols(); ++s) {
                int firing = 0;
                for (int j = 0; j < C; ++j) {
                    const int child = P + p * C + j;
                    if (v(child, s) != 0.0f) {
                        QVERIFY2(v(p, s) != 0.0f, "a child fired without its parent");
                        ++firing;
                    }
                }
                if (exclusive)
                    QVERIFY2(firing <= 1, "two mutually exclusive children fired together");
                if (v(p, s) != 0.0f) {
                    parentActive += 1.0;
                    childActive += firing;
                }
            }
            // Children per active parent: C q (independent) or q (exclusive), within 5 standard errors.
            const double expected = exclusive ? 0.4 : C * 0.4;
            const double sd = exclusive ? std::sqrt(0.4 * 0.6) : std::sqrt(C * 0.4 * 0.6);
            QVERIFY(parentActive > 200);
            QVERIFY2(std::abs(childActive / parentActive - expected) < 5.0 * sd / std::sqrt(parentActive),
                     qPrintable(QStringLiteral("parent %1: %2 children per activation, expected %3")
                                    .arg(p).arg(childActive / parentActive).arg(expected)));
            // The stated marginal of a child: its parent's rate times its conditional probability.
            const double perChild = exclusive ? 0.4 / C : 0.4;
            QVERIFY(std::abs(source.featureProbability()[std::size_t(P + p * C)] -
                             source.featureProbability()[std::size_t(p)] * perChild) < 1e-12);
        }
        // The inputs are the directions weighted by the values, children included.
        const Eigen::MatrixXf rebuilt = source.groundTruth() * v;
        QVERIFY((rebuilt - set.activations).cwiseAbs().maxCoeff() < 1e-4f);
        // Training batches obey the hierarchy too (children need a parent there as well): compare the mean norm.
        ActivationSource::Random random(5);
        Eigen::MatrixXf X;
        source.sampleBatch(X, 30000, random);
        const double batchNorm = X.colwise().squaredNorm().mean(), setNorm = set.activations.colwise().squaredNorm().mean();
        QVERIFY2(std::abs(batchNorm - setNorm) < 0.05 * setNorm, "training batches and the evaluation set differ");
    }

    void refusesImpossibleStructures()
    {
        QVERIFY_THROWS_EXCEPTION(InputError, SyntheticActivationSource(structured(0.0, 20, 3, false))); // 80 > 64
        QVERIFY_THROWS_EXCEPTION(InputError, SyntheticActivationSource(structured(-1.0, 0, 0, false)));
        SyntheticActivationSource::Settings bad = structured(0.0, 2, 2, false);
        bad.structure.childProbability = 1.5;
        QVERIFY_THROWS_EXCEPTION(InputError, SyntheticActivationSource{bad});
        bad = structured(0.0, 15, 3, false); // 60 of 64 features are in the hierarchy: 19 fire on their own
        bad.meanActive = 30.0;
        QVERIFY_THROWS_EXCEPTION(InputError, SyntheticActivationSource{bad});
    }
};

QTEST_APPLESS_MAIN(TestSyntheticStructure)
#include "tst_synthetic_structure.moc"
