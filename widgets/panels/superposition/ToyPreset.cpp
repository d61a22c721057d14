#include "ToyPreset.h"

#include <QCoreApplication>

using featurescope::ToyModelKind;

QVector<ToyPreset> ToyPreset::all()
{
    auto tr = [](const char* text) { return QCoreApplication::translate("ToyPreset", text); };
    QVector<ToyPreset> presets;
    {
        ToyPreset p;
        p.name = tr("Intro: n=5, m=2 sparsity sweep");
        p.description = tr("The paper's first figure: as features get sparser, 5 features squeeze into 2 dimensions, "
                           "from 2 dedicated features to antipodal pairs to a pentagon.");
        presets.append(p);
    }
    {
        ToyPreset p;
        p.name = tr("n=20, m=5, importance 0.7^i");
        p.description = tr("Importance decays steeply: dense inputs keep the 5 most important features; sparse "
                           "inputs pack many more in superposition.");
        p.features = 20;
        p.hidden = 5;
        p.instances = 6;
        p.probabilityMin = 0.001;
        p.importanceDecay = 0.7;
        presets.append(p);
    }
    {
        ToyPreset p;
        p.name = tr("Uniform n=400, m=30 (sticky fractions)");
        p.description = tr("Uniform importance across a sparsity sweep: dimensions per feature sticks at "
                           "fractions such as 1/2 (antipodal pairs) and 2/5 (pentagons).");
        p.features = 400;
        p.hidden = 30;
        p.instances = 12;
        p.probabilityMin = 0.003;
        p.importanceDecay = 1.0;
        p.steps = 4000;
        presets.append(p);
    }
    {
        ToyPreset p;
        p.name = tr("ReLU hidden n=10, m=5 (privileged basis)");
        p.description = tr("A ReLU on the hidden layer gives neurons a privileged basis: watch features go from "
                           "monosemantic neurons to polysemantic ones as sparsity grows.");
        p.kind = ToyModelKind::ReluHidden;
        p.features = 10;
        p.hidden = 5;
        p.instances = 6;
        p.probabilityMin = 0.01;
        p.importanceDecay = 0.75;
        presets.append(p);
    }
    {
        ToyPreset p;
        p.name = tr("Pentagon: n=5, m=2, uniform, sparse");
        p.description = tr("One sparse model with uniform importance: a regular pentagon, D_i = 2/5.");
        p.sweep = false;
        p.instances = 1;
        p.probability = 0.03;
        p.importanceDecay = 1.0;
        presets.append(p);
    }
    {
        ToyPreset p;
        p.name = tr("Computation in superposition: |x|, n=10, m=5");
        p.description = tr("An untied model computing the absolute value of signed sparse inputs.");
        p.kind = ToyModelKind::UntiedAbs;
        p.features = 10;
        p.hidden = 5;
        p.instances = 6;
        p.probabilityMin = 0.01;
        p.importanceDecay = 0.8;
        presets.append(p);
    }
    return presets;
}
