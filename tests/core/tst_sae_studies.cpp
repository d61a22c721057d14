// The multi-SAE studies of core/experiments: SaeSweep (a stronger penalty gives a sparser dictionary, each point is
// the mean and standard deviation of its runs, the Pareto front, cancelling), SaeFeatureSplitting (links by decoder
// cosine, on hand-made decoders and on trained widths) and GroundTruthComparison (the absorption toy's encoder and
// decoder cosines with untied and tied encoders).
#include "common/Cancelled.h"
#include "common/InputError.h"
#include "common/ProgressReporter.h"
#include "experiments/GroundTruthComparison.h"
#include "experiments/SaeExperiment.h"
#include "experiments/SaeFeatureSplitting.h"
#include "experiments/SaeSweep.h"

#include <QElapsedTimer>
#include <QTest>

#include <cmath>

using namespace featurescope;

namespace {

SaeExperimentConfig tinySynthetic()
{
    SaeExperimentConfig c = SaeExperimentConfig::withDefaults(SaeExperimentConfig::Source::Synthetic);
    c.syntheticFeatures = 32;
    c.syntheticDimension = 16;
    c.syntheticMeanActive = 3.0;
    c.sae.latentDim = 64;
    c.training.steps = 400;
    c.training.batch = 128;
    c.evaluationInputs = 2048;
    c.training.seed = 3;
    return c;
}

Eigen::VectorXf unit(std::initializer_list<float> values)
{
    Eigen::VectorXf v(static_cast<Eigen::Index>(values.size()));
    int i = 0;
    for (float x : values)
        v[i++] = x;
    return v.normalized();
}

GroundTruthComparison absorptionToy(bool tied)
{
    SaeExperimentConfig c = SaeExperimentConfig::withDefaults(SaeExperimentConfig::Source::AbsorptionToy);
    c.sae.tiedEncoder = tied;
    SaeSourceFactory sources;
    const SaeRunResult run = SaeExperiment::train(c, sources, ProgressReporter());
    return GroundTruthComparison::of(*run.sae, *run.evaluator, run.truth, run.source.source->hierarchy());
}

} // namespace

class TestSaeStudies : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sweepGetsSparserAsLambdaGrows()
    {
        SaeSweepSpec spec;
        spec.base = tinySynthetic();
        spec.values = {0.001, 0.01, 0.05};
        spec.seeds = 2;
        int started = 0, pointsSeen = 0;
        const auto series = SaeSweep::run(
            {spec}, ProgressReporter(), [&](int run, int total, const SaeSweepSpec&, double, std::uint64_t seed) {
                ++started;
                QCOMPARE(total, 6);
                QCOMPARE(run, started);
                QCOMPARE(seed, std::uint64_t(3 + (run - 1) % 2));
            },
            [&](const std::vector<SaeSweepSeries>& soFar) { pointsSeen = int(soFar.back().points.size()); });
        QCOMPARE(started, 6);
        QCOMPARE(pointsSeen, 3);
        QCOMPARE(series.size(), std::size_t(1));
        const auto& points = series.front().points;
        QCOMPARE(points.size(), std::size_t(3));
        for (std::size_t i = 0; i < points.size(); ++i) {
            QCOMPARE(points[i].runs.size(), std::size_t(2));
            // The mean and sample standard deviation of its two runs.
            const double a = points[i].runs[0].metrics.at("l0"), b = points[i].runs[1].metrics.at("l0");
            QVERIFY(std::abs(points[i].meanOf("l0") - (a + b) / 2) < 1e-9);
            QVERIFY(std::abs(points[i].stdOf("l0") - std::abs(a - b) / std::sqrt(2.0)) < 1e-9);
            QVERIFY(points[i].has("mmcs") && points[i].has("mcc")); // ground truth is known
            if (i > 0) {
                QVERIFY2(points[i].meanOf("l0") < points[i - 1].meanOf("l0"),
                         qPrintable(QStringLiteral("L0 %1 then %2").arg(points[i - 1].meanOf("l0")).arg(points[i].meanOf("l0"))));
                QVERIFY(points[i].meanOf("mse") > points[i - 1].meanOf("mse"));
            }
        }
        // Sparser and worse each time: no point beats another on both, so all lie on the front.
        QCOMPARE(series.front().paretoFront.size(), std::size_t(3));
        const nlohmann::json j = series.front().toJson();
        QCOMPARE(j["parameter"].get<std::string>(), std::string("l1"));
        QCOMPARE(j["points"].size(), std::size_t(3));
    }

    void topKSweepKeepsAtMostKActive()
    {
        SaeSweepSpec spec;
        spec.base = tinySynthetic();
        spec.base.sae.variant = SaeVariant::TopK;
        spec.values = {2, 6};
        spec.seeds = 1;
        QVERIFY(spec.sweepsK());
        const auto series = SaeSweep::run({spec}, ProgressReporter());
        const auto& points = series.front().points;
        QVERIFY(points[0].meanOf("l0") <= 2.0 + 1e-9);
        QVERIFY(points[1].meanOf("l0") <= 6.0 + 1e-9);
        QVERIFY(points[1].meanOf("l0") > points[0].meanOf("l0"));
        QCOMPARE(points[0].stdOf("l0"), 0.0); // one seed
    }

    void paretoFrontDropsDominatedPoints()
    {
        SaeSweepSeries s;
        auto point = [](double l0, double mse) {
            SaeSweepPoint p;
            p.mean = {{"l0", l0}, {"mse", mse}};
            return p;
        };
        s.points = {point(10, 1.0), point(5, 2.0), point(6, 3.0), point(1, 5.0)};
        SaeSweep::markParetoFront(s);
        QCOMPARE(s.paretoFront, (std::vector<std::size_t>{0, 1, 3}));
        QVERIFY(!s.points[2].pareto);
        QVERIFY(s.points[1].pareto);
    }

    void badSweepsAreRefused()
    {
        SaeSweepSpec spec;
        spec.base = tinySynthetic();
        spec.values = {};
        QVERIFY_THROWS_EXCEPTION(InputError, spec.validate());
        spec.values = {-1.0};
        QVERIFY_THROWS_EXCEPTION(InputError, spec.validate());
        spec.base.sae.variant = SaeVariant::TopK;
        spec.values = {2.5};
        QVERIFY_THROWS_EXCEPTION(InputError, spec.validate());
        spec.values = {1000};
        QVERIFY_THROWS_EXCEPTION(InputError, spec.validate()); // k above d_sae
        QVERIFY_THROWS_EXCEPTION(InputError, SaeSweep::run({}, ProgressReporter()));
    }

    void cancellingStopsTheSweep()
    {
        SaeSweepSpec spec;
        spec.base = tinySynthetic();
        spec.base.training.steps = 200000;
        spec.values = {0.001, 0.01};
        ProgressReporter progress;
        QElapsedTimer timer;
        timer.start();
        QVERIFY_THROWS_EXCEPTION(Cancelled, SaeSweep::run({spec}, progress, [&](int, int, const SaeSweepSpec&, double, std::uint64_t) {
            progress.cancel(); // as the GUI's Cancel would, while the first run trains
        }));
        QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
    }

    void linksPickTheClosestLiveParent()
    {
        Eigen::MatrixXf parents(3, 2), children(3, 4);
        parents.col(0) = unit({1, 0, 0});
        parents.col(1) = unit({0, 1, 0});
        children.col(0) = unit({1, 0, 0.2f}); // two children of parent 0: a split
        children.col(1) = unit({1, 0, -0.2f});
        children.col(2) = unit({0.1f, 1, 0});
        children.col(3) = unit({-1, -1, 0}); // points away from both: no parent
        std::vector<int> parent;
        std::vector<float> cosine;
        SaeFeatureSplitting::link(parents, {true, true}, children, {true, true, true, true}, parent, cosine);
        QCOMPARE(parent, (std::vector<int>{0, 0, 1, -1}));
        QVERIFY(std::abs(cosine[0] - unit({1, 0, 0.2f})[0]) < 1e-5f);
        QCOMPARE(cosine[3], 0.0f);
        // A silent parent is never chosen; a silent child gets none.
        SaeFeatureSplitting::link(parents, {false, true}, children, {true, false, true, true}, parent, cosine);
        QCOMPARE(parent[0], -1); // its only live candidate is orthogonal to it
        QCOMPARE(parent[1], -1);
        QCOMPARE(parent[2], 1);
        QVERIFY_THROWS_EXCEPTION(InputError, SaeFeatureSplitting::link(parents, {true}, children,
                                                                        {true, true, true, true}, parent, cosine));
    }

    void trainedWidthsSplit()
    {
        SaeSplittingSpec spec;
        spec.base = tinySynthetic();
        spec.base.sae.latentDim = 8; // far fewer latents than the 32 true features: 1x latents are blends
        spec.base.training.steps = 800;
        spec.multipliers = {1, 2, 4};
        const SaeSplittingResult result = SaeFeatureSplitting::run(spec, ProgressReporter());
        QCOMPARE(result.widths.size(), std::size_t(3));
        int cleanSplits = 0; // 1x latents with two or more 2x children, each at cosine >= 0.6
        for (std::size_t w = 0; w < result.widths.size(); ++w) {
            const SaeSplittingWidth& width = result.widths[w];
            QCOMPARE(width.latents, 8 * spec.multipliers[w]);
            QCOMPARE(width.parent.size(), std::size_t(width.latents));
            double linkCosine = 0.0;
            int links = 0;
            for (int j = 0; j < width.latents; ++j) {
                const float cos = width.parentCosine[std::size_t(j)];
                QVERIFY2(cos >= 0.0f && cos <= 1.0f, qPrintable(QString::number(cos)));
                const int p = width.parent[std::size_t(j)];
                if (w == 0 || !width.alive(j)) {
                    QCOMPARE(p, -1);
                    continue;
                }
                QVERIFY(p >= 0 && p < result.widths[w - 1].latents && result.widths[w - 1].alive(p));
                linkCosine += cos;
                ++links;
            }
            if (w == 0)
                continue;
            // Linked features share their direction (random 16-d directions would give about 0.2).
            QVERIFY2(linkCosine / links > 0.5, qPrintable(QStringLiteral("%1x: mean link cosine %2").arg(width.multiplier).arg(linkCosine / links)));
            if (w != 1)
                continue;
            for (int p = 0; p < result.widths[0].latents; ++p) {
                const auto children = result.children(0, p);
                bool clean = children.size() >= 2;
                for (int c : children)
                    clean = clean && width.parentCosine[std::size_t(c)] >= 0.6f;
                cleanSplits += clean ? 1 : 0;
            }
        }
        QVERIFY2(cleanSplits > 0, "no 1x latent split cleanly into two 2x latents");
        const int root = result.mostSplitRoot();
        QVERIFY(root >= 0 && root < 8);
        const auto family = result.family(0, root);
        QCOMPARE(family.front(), std::vector<int>{root});
        QVERIFY(family.back().size() >= 2);
        // Wider dictionaries reconstruct better.
        QVERIFY(result.widths.back().explainedVariance > result.widths.front().explainedVariance);
        const nlohmann::json j = result.toJson();
        QCOMPARE(j["widths"].size(), std::size_t(3));
        QVERIFY(j["widths"][1]["links"].size() > 0);
        QCOMPARE(j["most_split_root"].get<int>(), root);
    }

    void absorptionShowsInTheEncoderNotTheDecoder()
    {
        const GroundTruthComparison untied = absorptionToy(false);
        QCOMPARE(untied.featureCount(), 4);
        QCOMPARE(untied.parentOf[1], 0);
        QCOMPARE(untied.absorption[0], -1.0);
        QVERIFY2(untied.absorption[1] > 0.5, qPrintable(QString::number(untied.absorption[1])));
        QCOMPARE(untied.absorptionRate, untied.absorption[1]);
        // Column 0 is the parent's latent: its decoder stays on the parent, its encoder turns away from the child.
        QVERIFY(untied.decoderCosine(0, 0) > 0.9f);
        QVERIFY2(untied.encoderCosine(1, 0) < -0.2f, qPrintable(QString::number(untied.encoderCosine(1, 0))));
        QVERIFY(untied.mcc > 0.8);
        QVERIFY(untied.hasDetection());
        const nlohmann::json j = untied.toJson();
        QCOMPARE(j["encoder_cosine"].size(), std::size_t(4));
        QCOMPARE(j["features"][1]["parent"].get<int>(), 0);

        const GroundTruthComparison tied = absorptionToy(true);
        QVERIFY2(tied.absorption[1] < 0.05, qPrintable(QString::number(tied.absorption[1])));
        QVERIFY(tied.encoderCosine(1, 0) > -0.05f);
        for (int i = 0; i < 4; ++i) // tied: encoder rows are the decoder columns
            for (int k = 0; k < 4; ++k)
                QVERIFY(std::abs(tied.encoderCosine(i, k) - tied.decoderCosine(i, k)) < 1e-4f);
    }
};

QTEST_GUILESS_MAIN(TestSaeStudies)
#include "tst_sae_studies.moc"
