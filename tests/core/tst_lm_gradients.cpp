// Finite-difference checks of the GPT-2 backward pass for every kind of parameter, on a small model whose
// LayerNorm gains and biases are randomised (a gradient that ignored them would still fail).
#include "lm/GptBackward.h"
#include "lm/GptModel.h"
#include "math/Rng.h"

#include <QTest>

#include <cmath>

using namespace featurescope;

namespace {

struct Problem {
    GptModel model;
    std::vector<int> ids;
    std::vector<int> targets;
    int batch = 2;
    int tokens = 5;
};

Problem makeProblem(GptActivation activation)
{
    GptConfig c;
    c.layers = 2;
    c.width = 8;
    c.heads = 2;
    c.inner = 12;
    c.vocabSize = 11;
    c.positions = 6;
    c.activation = activation;
    GptWeights w(c);
    w.initialize(7);
    Rng rng(11);
    // Larger weights than GPT-2's initialisation so every path carries a visible gradient.
    for (std::size_t i = 0; i < w.size(); ++i)
        w.data()[i] += float(0.3 * rng.normal());
    Problem p{GptModel(std::move(w)), {}, {}};
    for (int i = 0; i < p.batch * p.tokens; ++i) {
        p.ids.push_back(int(rng.below(11)));
        p.targets.push_back(i % 4 == 3 ? -1 : int(rng.below(11)));
    }
    return p;
}

double lossOf(const Problem& p)
{
    GptActivations out;
    p.model.forward(p.ids.data(), p.batch, p.tokens, out);
    return GptModel::crossEntropy(out.logits, p.targets);
}

} // namespace

class TestLmGradients : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyParameterKind_data()
    {
        QTest::addColumn<int>("activation");
        QTest::newRow("gelu tanh") << int(GptActivation::GeluTanh);
        QTest::newRow("gelu erf") << int(GptActivation::GeluErf);
    }

    void everyParameterKind()
    {
        QFETCH(int, activation);
        Problem p = makeProblem(GptActivation(activation));
        GptActivations out;
        p.model.forward(p.ids.data(), p.batch, p.tokens, out, nullptr, true);
        RowMatrixF dLogits;
        GptModel::crossEntropy(out.logits, p.targets, &dLogits);
        GptWeights gradients(p.model.config());
        GptBackward backward;
        backward.run(p.model, out, dLogits, gradients);

        Rng rng(3);
        const float eps = 1e-2f;
        int checked = 0;
        for (const GptWeights::Tensor& t : p.model.weights().tensors()) {
            // The derivative along a random direction of this tensor, against a central difference.
            std::vector<float> direction(t.size());
            double analytic = 0.0;
            for (std::size_t i = 0; i < t.size(); ++i) {
                direction[i] = float(rng.normal());
                analytic += double(direction[i]) * gradients.data()[t.offset + i];
            }
            float* values = p.model.weights().data() + t.offset;
            const std::vector<float> saved(values, values + t.size());
            for (std::size_t i = 0; i < t.size(); ++i)
                values[i] = saved[i] + eps * direction[i];
            const double up = lossOf(p);
            for (std::size_t i = 0; i < t.size(); ++i)
                values[i] = saved[i] - eps * direction[i];
            const double down = lossOf(p);
            std::copy(saved.begin(), saved.end(), values);
            const double numeric = (up - down) / (2.0 * eps);
            const double error = std::abs(numeric - analytic);
            QVERIFY2(std::abs(analytic) > 1e-4, (t.name + ": no gradient reaches it").c_str());
            QVERIFY2(error < 2e-2 * std::abs(analytic) + 2e-4,
                     (t.name + ": analytic " + std::to_string(analytic) + " numeric " + std::to_string(numeric)).c_str());
            ++checked;
        }
        QCOMPARE(checked, 2 + 2 + 12 * 2);
    }
};

QTEST_GUILESS_MAIN(TestLmGradients)
#include "tst_lm_gradients.moc"
