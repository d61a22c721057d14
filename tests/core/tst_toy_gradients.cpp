// Gradient checks: every toy model's analytic gradient (both kernel paths) against central finite differences,
// and the two paths against each other.
#include "toy/SparseFeatureSampler.h"
#include "toy/ToyLossKernel.h"
#include "toy/ToyModel.h"

#include <QtTest>

using namespace featurescope;

Q_DECLARE_METATYPE(featurescope::ToyModelKind)
Q_DECLARE_METATYPE(featurescope::ToyLossKernel::Path)

class TestToyGradients : public QObject {
    Q_OBJECT
private:
    static ToyModelConfig config(ToyModelKind kind)
    {
        ToyModelConfig c;
        c.features = 7;
        c.hidden = 3;
        c.kind = kind;
        c.importanceDecay = 0.8;
        c.featureProbability = ToyModelConfig::sharedProbability(c.features, 1, 0.4);
        return c;
    }

private Q_SLOTS:
    void finiteDifferences_data()
    {
        QTest::addColumn<ToyModelKind>("kind");
        QTest::addColumn<ToyLossKernel::Path>("path");
        for (auto kind : {ToyModelKind::Linear, ToyModelKind::ReluOutput, ToyModelKind::ReluHidden,
                          ToyModelKind::UntiedAbs})
            for (auto path : {ToyLossKernel::Path::Fused, ToyLossKernel::Path::Gemm}) {
                const std::string name = toyModelKindName(kind) +
                                         (path == ToyLossKernel::Path::Fused ? " fused" : " gemm");
                QTest::newRow(name.c_str()) << kind << path;
            }
    }

    void finiteDifferences()
    {
        QFETCH(ToyModelKind, kind);
        QFETCH(ToyLossKernel::Path, path);
        const ToyModelConfig c = config(kind);
        ToyModel model(c);
        model.initialise(42);
        ToyInstance& params = model.instance(0);
        params.b.setConstant(0.05f); // away from the ReLU kink at 0 for most samples
        const int batch = 100;       // not a multiple of the fused chunk: exercises the tail
        Eigen::MatrixXf X(batch, c.features);
        SparseFeatureSampler sampler(7);
        sampler.sample(c.featureProbability[0], kind == ToyModelKind::UntiedAbs, X);
        ToyLossKernel kernel(c, 0, batch, path);
        QCOMPARE(kernel.path(), path);
        ToyInstance gradient;
        kernel.evaluate(params, X, &gradient);

        const float eps = 1e-3f;
        auto check = [&](float* parameter, Eigen::Index size, const float* analytic, const char* name) {
            double worst = 0.0;
            for (Eigen::Index k = 0; k < size; ++k) {
                const float saved = parameter[k];
                parameter[k] = saved + eps;
                const double up = kernel.evaluate(params, X, nullptr);
                parameter[k] = saved - eps;
                const double down = kernel.evaluate(params, X, nullptr);
                parameter[k] = saved;
                const double numeric = (up - down) / (2.0 * eps);
                worst = std::max(worst, std::abs(numeric - analytic[k]) / (std::abs(numeric) + 1e-3));
            }
            QVERIFY2(worst < 3e-2, qPrintable(QStringLiteral("%1: worst relative gradient error %2")
                                                  .arg(QLatin1String(name))
                                                  .arg(worst)));
        };
        check(params.W.data(), params.W.size(), gradient.W.data(), "W");
        check(params.b.data(), params.b.size(), gradient.b.data(), "b");
        if (kind == ToyModelKind::UntiedAbs)
            check(params.decoder.data(), params.decoder.size(), gradient.decoder.data(), "decoder");
        else
            QCOMPARE(gradient.decoder.size(), Eigen::Index(0));
    }

    void pathsAgree_data() { finiteDifferencesKindsOnly(); }
    void pathsAgree()
    {
        QFETCH(ToyModelKind, kind);
        ToyModelConfig c = config(kind);
        c.features = 37;
        c.hidden = 5;
        c.featureProbability = ToyModelConfig::sharedProbability(c.features, 1, 0.3);
        ToyModel model(c);
        model.initialise(3);
        const int batch = 300;
        Eigen::MatrixXf X(batch, c.features);
        SparseFeatureSampler sampler(11);
        sampler.sample(c.featureProbability[0], kind == ToyModelKind::UntiedAbs, X);
        ToyLossKernel fused(c, 0, batch, ToyLossKernel::Path::Fused);
        ToyLossKernel gemm(c, 0, batch, ToyLossKernel::Path::Gemm);
        ToyInstance g1, g2;
        const double l1 = fused.evaluate(model.instance(0), X, &g1);
        const double l2 = gemm.evaluate(model.instance(0), X, &g2);
        QVERIFY(std::abs(l1 - l2) <= 1e-5 * std::abs(l1));
        QVERIFY((g1.W - g2.W).cwiseAbs().maxCoeff() <= 1e-4f * g1.W.cwiseAbs().maxCoeff());
        QVERIFY((g1.b - g2.b).cwiseAbs().maxCoeff() <= 1e-4f * g1.b.cwiseAbs().maxCoeff());
        if (kind == ToyModelKind::UntiedAbs)
            QVERIFY((g1.decoder - g2.decoder).cwiseAbs().maxCoeff() <= 1e-4f * g1.decoder.cwiseAbs().maxCoeff());
    }

    void slabsAgree_data() { finiteDifferencesKindsOnly(); }
    void slabsAgree()
    {
        // The trainer feeds the fused kernel a batch in slabs; any split must give the whole-batch loss and gradient.
        QFETCH(ToyModelKind, kind);
        ToyModelConfig c = config(kind);
        c.features = 37;
        c.hidden = 5;
        c.featureProbability = ToyModelConfig::sharedProbability(c.features, 1, 0.3);
        ToyModel model(c);
        model.initialise(4);
        const int batch = 300;
        Eigen::MatrixXf X(batch, c.features);
        SparseFeatureSampler sampler(12);
        sampler.sample(c.featureProbability[0], kind == ToyModelKind::UntiedAbs, X);
        ToyLossKernel kernel(c, 0, batch, ToyLossKernel::Path::Fused);
        QVERIFY(kernel.acceptsSlabs());
        ToyInstance whole, slabbed;
        const double expected = kernel.evaluate(model.instance(0), X, &whole);
        kernel.beginBatch(&slabbed);
        for (int row = 0, rows = 100; row < batch; row += rows) { // 100-row slabs: a padded tail chunk in each
            const Eigen::MatrixXf slab = X.middleRows(row, rows);
            kernel.accumulateSlab(model.instance(0), slab.data(), rows, &slabbed);
        }
        const double loss = kernel.finishBatch(&slabbed);
        QVERIFY(expected > 0.0);
        QVERIFY(std::abs(loss - expected) <= 1e-5 * expected);
        QVERIFY((whole.W - slabbed.W).cwiseAbs().maxCoeff() <= 1e-5f * whole.W.cwiseAbs().maxCoeff());
        QVERIFY((whole.b - slabbed.b).cwiseAbs().maxCoeff() <= 1e-5f * whole.b.cwiseAbs().maxCoeff());
        QVERIFY(!ToyLossKernel(c, 0, batch, ToyLossKernel::Path::Gemm).acceptsSlabs());
    }

    void lossMatchesForward()
    {
        // The kernel's loss equals the importance-weighted MSE of ToyModel::forward, sample by sample.
        ToyModelConfig c = config(ToyModelKind::ReluHidden);
        ToyModel model(c);
        model.initialise(5);
        model.instance(0).b.setConstant(-0.1f);
        const int batch = 64;
        Eigen::MatrixXf X(batch, c.features);
        SparseFeatureSampler sampler(2);
        sampler.sample(c.featureProbability[0], false, X);
        double expected = 0.0;
        for (int s = 0; s < batch; ++s) {
            const Eigen::VectorXf x = X.row(s).transpose();
            const Eigen::VectorXf y = model.forward(0, x);
            for (int i = 0; i < c.features; ++i)
                expected += c.importance(0, i) * double(y[i] - x[i]) * double(y[i] - x[i]);
        }
        expected /= double(batch) * c.features;
        ToyLossKernel kernel(c, 0, batch);
        QVERIFY(std::abs(kernel.evaluate(model.instance(0), X, nullptr) - expected) <= 1e-5 * expected);
    }

private:
    void finiteDifferencesKindsOnly()
    {
        QTest::addColumn<ToyModelKind>("kind");
        for (auto kind : {ToyModelKind::Linear, ToyModelKind::ReluOutput, ToyModelKind::ReluHidden,
                          ToyModelKind::UntiedAbs})
            QTest::newRow(toyModelKindName(kind).c_str()) << kind;
    }
};

QTEST_GUILESS_MAIN(TestToyGradients)
#include "tst_toy_gradients.moc"
