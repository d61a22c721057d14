#include "FeatureControlsWidget.h"

#include "common/SpinBoxes.h"
#include "mlp/ImageDataset.h"
#include "sae/ActivationImport.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStackedWidget>
#include <QToolButton>
#include <QVBoxLayout>

using featurescope::SaeExperimentConfig;

using featurescope::SaeVariant;
using Source = SaeExperimentConfig::Source;

namespace {
QDoubleSpinBox* dspin(QWidget* parent, double min, double max, int decimals, double step, double value,
                      const QString& tip)
{
    auto* s = new QDoubleSpinBox(parent);
    s->setRange(min, max);
    s->setDecimals(decimals);
    s->setSingleStep(step);
    s->setValue(value);
    s->setToolTip(tip);
    return s;
}
QWidget* formPage(QWidget* parent, QFormLayout** form)
{
    auto* page = new QWidget(parent);
    *form = new QFormLayout(page);
    (*form)->setContentsMargins(0, 0, 0, 0);
    return page;
}
} // namespace

FeatureControlsWidget::FeatureControlsWidget(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);

    auto* sourceBox = new QGroupBox(tr("Activations"), this);
    auto* sourceLayout = new QVBoxLayout(sourceBox);
    m_source = new QComboBox(sourceBox);
    m_source->setObjectName(QStringLiteral("featuresSource"));
    m_source->addItem(tr("Synthetic (ground truth)"), int(Source::Synthetic));
    m_source->addItem(tr("Toy model hidden layer"), int(Source::Toy));
    m_source->addItem(tr("Fashion-MNIST MLP hidden layer"), int(Source::FashionMnist));
    m_source->addItem(tr("Imported file"), int(Source::File));
    m_source->setToolTip(tr("Where the SAE's inputs come from:\n"
                            "Synthetic: F random unit directions in d dimensions, sparse combinations (Sharkey et al. "
                            "2022); the true features are known.\n"
                            "Toy model: h = Wx of a toy model of superposition trained first; the true features are "
                            "W's columns.\n"
                            "Fashion-MNIST: the 128 hidden units of a 784-128-10 MLP trained first, on the 10 000 test "
                            "images (any IDX image set works).\n"
                            "Imported file: [N, d] activations from .npy/.npz/.safetensors (File > Open Activations…), "
                            "with token strings when the file has them."));
    sourceLayout->addWidget(m_source);
    m_sourcePages = new QStackedWidget(sourceBox);
    {
        QFormLayout* form = nullptr;
        QWidget* page = formPage(m_sourcePages, &form);
        m_synFeatures = makeSpinBox(page, 1, 100000, 128, tr("F: number of true feature directions (reference: 512)"));
        m_synDimension = makeSpinBox(page, 1, 4096, 64, tr("d: dimension of the activations (reference: 256)"));
        m_synActive = dspin(page, 0.1, 1000.0, 1, 0.5, 5.0,
                            tr("Mean number of active true features per input (probabilities ∝ 0.99^i)"));
        form->addRow(tr("True features F"), m_synFeatures);
        form->addRow(tr("Dimension d"), m_synDimension);
        form->addRow(tr("Active per input"), m_synActive);
        m_sourcePages->addWidget(page);
    }
    {
        QFormLayout* form = nullptr;
        QWidget* page = formPage(m_sourcePages, &form);
        m_toyFeatures = makeSpinBox(page, 2, 2000, 20, tr("n: features of the toy model (the true features)"));
        m_toyHidden = makeSpinBox(page, 1, 512, 5, tr("m: hidden dimensions of the toy model (the SAE's input dimension)"));
        m_toyProbability = dspin(page, 0.001, 1.0, 3, 0.01, 0.05,
                                 tr("Probability that a feature is active (1 − S); sparse features end up in "
                                    "superposition"));
        m_toySteps = makeSpinBox(page, 1, 10000000, 3000, tr("Training steps of the toy model before the SAE"));
        m_toySteps->setSingleStep(500);
        form->addRow(tr("Features n"), m_toyFeatures);
        form->addRow(tr("Hidden m"), m_toyHidden);
        form->addRow(tr("Probability p"), m_toyProbability);
        form->addRow(tr("Toy steps"), m_toySteps);
        m_sourcePages->addWidget(page);
    }
    {
        QFormLayout* form = nullptr;
        QWidget* page = formPage(m_sourcePages, &form);
        m_dataDir = new QLineEdit(QString::fromStdString(featurescope::ImageDataset::defaultFashionMnistDirectory()), page);
        m_dataDir->setObjectName(QStringLiteral("featuresDataDir"));
        m_dataDir->setToolTip(tr("Folder with train- and t10k-images/labels-idx?-ubyte[.gz] (Fashion-MNIST from the "
                                 "Debian package dataset-fashion-mnist, or MNIST digits)"));
        m_browse = new QToolButton(page);
        m_browse->setText(QStringLiteral("…"));
        m_browse->setToolTip(tr("Choose the folder with the IDX files"));
        auto* dirRow = new QHBoxLayout;
        dirRow->setContentsMargins(0, 0, 0, 0);
        dirRow->addWidget(m_dataDir, 1);
        dirRow->addWidget(m_browse);
        m_mlpEpochs = makeSpinBox(page, 1, 1000, 4, tr("Epochs of the MLP on the 60 000 training images (4 reach about "
                                                "86 % test accuracy)"));
        m_dataStatus = new QLabel(page);
        m_dataStatus->setWordWrap(true);
        m_dataStatus->setToolTip(tr("Whether both splits were found in the folder"));
        form->addRow(tr("Folder"), dirRow);
        form->addRow(tr("MLP epochs"), m_mlpEpochs);
        form->addRow(m_dataStatus);
        m_sourcePages->addWidget(page);
    }
    {
        QFormLayout* form = nullptr;
        QWidget* page = formPage(m_sourcePages, &form);
        m_fileInfo = new QLabel(page);
        m_fileInfo->setObjectName(QStringLiteral("featuresFileInfo"));
        m_fileInfo->setWordWrap(true);
        m_fileInfo->setTextInteractionFlags(Qt::TextSelectableByMouse);
        m_fileInfo->setToolTip(tr("The imported activations: File > Open Activations… or drop a file on the window"));
        form->addRow(m_fileInfo);
        m_sourcePages->addWidget(page);
    }
    sourceLayout->addWidget(m_sourcePages);
    layout->addWidget(sourceBox);

    auto* saeBox = new QGroupBox(tr("Sparse autoencoder"), this);
    auto* form = new QFormLayout(saeBox);
    m_variant = new QComboBox(saeBox);
    m_variant->setObjectName(QStringLiteral("featuresVariant"));
    m_variant->addItem(tr("TM 2023 (L1)"), int(SaeVariant::TM2023));
    m_variant->addItem(tr("2024 update"), int(SaeVariant::Anthropic2024));
    m_variant->addItem(tr("TopK"), int(SaeVariant::TopK));
    m_variant->addItem(tr("BatchTopK"), int(SaeVariant::BatchTopK));
    m_variant->addItem(tr("JumpReLU"), int(SaeVariant::JumpReLU));
    m_variant->setToolTip(tr("TM 2023: pre-encoder bias, unit-norm decoder, L1 penalty (Towards Monosemanticity).\n"
                             "2024 update: no pre-encoder bias, penalty λΣ|f_i|·‖W_dec,i‖, inputs scaled to E‖x‖ = √d.\n"
                             "TopK: keep the k largest pre-activations, no penalty.\n"
                             "BatchTopK: keep the k × batch largest activations of each batch; at inference a JumpReLU "
                             "at the threshold learned in training.\n"
                             "JumpReLU: a threshold per latent learned through a straight-through estimator, "
                             "λ × L0 penalty, inputs scaled to E‖x‖ = √d."));
    m_latents = makeSpinBox(saeBox, 1, 65536, 512, tr("d_sae: number of SAE features (latents)"));
    m_latents->setObjectName(QStringLiteral("featuresLatents"));
    m_l1 = dspin(saeBox, 0.0, 1000.0, 5, 0.001, 6e-3, tr("λ: sparsity penalty; larger gives fewer active features "
                                                         "(lower L0) and worse reconstruction"));
    m_l1Label = new QLabel(tr("L1 λ"), saeBox);
    m_k = makeSpinBox(saeBox, 1, 65536, 5, tr("k: active features per input (TopK)"));
    m_kLabel = new QLabel(tr("k"), saeBox);
    m_normalize = new QCheckBox(tr("Scale inputs to E‖x‖ = √d"), saeBox);
    m_normalize->setToolTip(tr("Normalise the inputs' scale before the SAE (always on for the 2024 variant)"));
    m_steps = makeSpinBox(saeBox, 1, 10000000, 2000, tr("Adam steps; a fresh batch is drawn every step"));
    m_steps->setObjectName(QStringLiteral("featuresSteps"));
    m_steps->setSingleStep(500);
    m_batch = makeSpinBox(saeBox, 1, 65536, 256, tr("Inputs per step"));
    m_batch->setObjectName(QStringLiteral("featuresBatch"));
    m_lr = dspin(saeBox, 1e-5, 1.0, 5, 1e-4, 3e-3, tr("Adam learning rate (constant)"));
    m_seed = makeSpinBox(saeBox, 0, 1000000000, 0, tr("Random seed of the data, the SAE and (Fashion-MNIST) the MLP: the same "
                                               "seed gives the same numbers as `featurescope sae --seed`"));
    form->addRow(tr("Variant"), m_variant);
    form->addRow(tr("Features d_sae"), m_latents);
    form->addRow(m_l1Label, m_l1);
    form->addRow(m_kLabel, m_k);
    form->addRow(m_normalize);
    form->addRow(tr("Steps"), m_steps);
    form->addRow(tr("Batch"), m_batch);
    form->addRow(tr("Learning rate"), m_lr);
    form->addRow(tr("Seed"), m_seed);
    layout->addWidget(saeBox);

    auto* buttons = new QHBoxLayout;
    m_train = new QPushButton(tr("Train"), this);
    m_train->setObjectName(QStringLiteral("featuresTrain"));
    m_train->setToolTip(tr("Build the source and train the SAE with these settings; the views update live "
                           "(Ctrl+Return)"));
    m_train->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    m_stop = new QPushButton(tr("Stop"), this);
    m_stop->setObjectName(QStringLiteral("featuresStop"));
    m_stop->setToolTip(tr("Stop training and evaluate what was trained so far (Ctrl+.)"));
    m_stop->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    m_stop->setEnabled(false);
    buttons->addWidget(m_train);
    buttons->addWidget(m_stop);
    layout->addLayout(buttons);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("featuresStatus"));
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::RichText);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setToolTip(tr("What the panel is doing, or what went wrong"));
    layout->addWidget(m_status);
    layout->addStretch();
    auto* help = new QLabel(tr("Select a feature in the table, the density histogram or the nearest-features list: "
                               "every view follows. The table filter understands 17, 10-20, dead, density>0.01, "
                               "purity>0.8, cos>0.9."),
                            this);
    help->setWordWrap(true);
    help->setStyleSheet(QStringLiteral("color: palette(mid);"));
    help->setToolTip(tr("How to browse the dictionary"));
    layout->addWidget(help);

    auto emitChanged = [this] {
        if (!m_applying)
            Q_EMIT changed();
    };
    connect(m_source, &QComboBox::currentIndexChanged, this, [this, emitChanged](int index) {
        m_sourcePages->setCurrentIndex(index);
        applySourceDefaults();
        updateDataStatus();
        emitChanged();
    });
    connect(m_variant, &QComboBox::currentIndexChanged, this, [this, emitChanged] {
        const bool applying = m_applying;
        m_applying = true;
        m_l1->setValue(SaeExperimentConfig::defaultL1(source(), SaeVariant(m_variant->currentData().toInt())));
        m_applying = applying;
        updateVariantFields();
        emitChanged();
    });
    for (auto* s : {m_synFeatures, m_synDimension, m_toyFeatures, m_toyHidden, m_toySteps, m_mlpEpochs, m_latents, m_k,
                    m_steps, m_batch, m_seed})
        connect(s, &QSpinBox::valueChanged, this, emitChanged);
    for (auto* s : {m_synActive, m_toyProbability, m_l1, m_lr})
        connect(s, &QDoubleSpinBox::valueChanged, this, emitChanged);
    connect(m_normalize, &QCheckBox::toggled, this, emitChanged);
    connect(m_dataDir, &QLineEdit::textChanged, this, [this, emitChanged] {
        updateDataStatus();
        emitChanged();
    });
    connect(m_toyFeatures, &QSpinBox::valueChanged, this, [this](int n) {
        if (source() == Source::Toy && !m_applying)
            m_latents->setValue(4 * n);
    });
    connect(m_browse, &QToolButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder with IDX image files"), m_dataDir->text());
        if (!dir.isEmpty())
            m_dataDir->setText(QDir::toNativeSeparators(dir));
    });
    connect(m_train, &QPushButton::clicked, this, &FeatureControlsWidget::trainRequested);
    connect(m_stop, &QPushButton::clicked, this, &FeatureControlsWidget::stopRequested);

    applySourceDefaults();
    updateVariantFields();
    updateDataStatus();
    setImported(nullptr);
}

Source FeatureControlsWidget::source() const { return Source(m_source->currentData().toInt()); }

void FeatureControlsWidget::setSource(Source source)
{
    m_source->setCurrentIndex(m_source->findData(int(source)));
}

void FeatureControlsWidget::applySourceDefaults()
{
    const bool applying = m_applying;
    m_applying = true;
    const auto d = SaeExperimentConfig::defaultsFor(source(), m_toyFeatures->value());
    m_latents->setValue(d.latents);
    m_l1->setValue(SaeExperimentConfig::defaultL1(source(), SaeVariant(m_variant->currentData().toInt())));
    m_steps->setValue(d.steps);
    m_batch->setValue(d.batch);
    m_lr->setValue(d.learningRate);
    m_normalize->setChecked(d.normalize);
    m_applying = applying;
    updateVariantFields();
}

void FeatureControlsWidget::updateVariantFields()
{
    const auto variant = SaeVariant(m_variant->currentData().toInt());
    const bool topK = variant == SaeVariant::TopK || variant == SaeVariant::BatchTopK;
    m_l1->setVisible(!topK);
    m_l1Label->setVisible(!topK);
    m_k->setVisible(topK);
    m_kLabel->setVisible(topK);
    const bool alwaysNormalised = variant == SaeVariant::Anthropic2024 || variant == SaeVariant::JumpReLU;
    if (alwaysNormalised) {
        const bool applying = m_applying;
        m_applying = true;
        m_normalize->setChecked(true);
        m_applying = applying;
    }
    m_normalize->setEnabled(!alwaysNormalised);
}

void FeatureControlsWidget::updateDataStatus()
{
    const std::string dir = m_dataDir->text().trimmed().toStdString();
    const bool found = !dir.empty() && featurescope::ImageDataset::hasSplit(dir, "train") &&
                       featurescope::ImageDataset::hasSplit(dir, "t10k");
    m_dataStatus->setText(found ? tr("<span style='color:#2e7d32'>IDX files found</span>")
                                : tr("<span style='color:#c0392b'>No IDX image set here: install the Debian package "
                                     "dataset-fashion-mnist or choose a folder</span>"));
}

SaeExperimentConfig FeatureControlsWidget::config() const
{
    SaeExperimentConfig c;
    c.source = source();
    c.syntheticFeatures = m_synFeatures->value();
    c.syntheticDimension = m_synDimension->value();
    c.syntheticMeanActive = m_synActive->value();
    c.toyFeatures = m_toyFeatures->value();
    c.toyHidden = m_toyHidden->value();
    c.toyProbability = m_toyProbability->value();
    c.toySteps = m_toySteps->value();
    c.dataDirectory = QDir::fromNativeSeparators(m_dataDir->text().trimmed()).toStdString();
    c.mlpEpochs = m_mlpEpochs->value();
    c.sae.variant = SaeVariant(m_variant->currentData().toInt());
    c.sae.latentDim = m_latents->value();
    c.sae.l1 = m_l1->value();
    c.sae.k = m_k->value();
    c.sae.normalizeInputs = m_normalize->isChecked();
    c.training.steps = m_steps->value();
    c.training.batch = m_batch->value();
    c.training.learningRate = m_lr->value();
    c.training.seed = std::uint64_t(m_seed->value());
    c.imported = m_imported;
    c.evaluationInputs = SaeExperimentConfig::defaultEvaluationInputs(c.source);
    return c;
}

void FeatureControlsWidget::setConfig(const SaeExperimentConfig& c)
{
    m_applying = true;
    if (c.imported)
        setImported(c.imported);
    setSource(c.source);
    m_synFeatures->setValue(c.syntheticFeatures);
    m_synDimension->setValue(c.syntheticDimension);
    m_synActive->setValue(c.syntheticMeanActive);
    m_toyFeatures->setValue(c.toyFeatures);
    m_toyHidden->setValue(c.toyHidden);
    m_toyProbability->setValue(c.toyProbability);
    m_toySteps->setValue(c.toySteps);
    if (!c.dataDirectory.empty())
        m_dataDir->setText(QString::fromStdString(c.dataDirectory));
    m_mlpEpochs->setValue(c.mlpEpochs);
    m_variant->setCurrentIndex(m_variant->findData(int(c.sae.variant)));
    m_latents->setValue(c.sae.latentDim);
    m_l1->setValue(c.sae.l1);
    m_k->setValue(c.sae.k);
    m_normalize->setChecked(c.sae.normalizeInputs);
    m_steps->setValue(c.training.steps);
    m_batch->setValue(c.training.batch);
    m_lr->setValue(c.training.learningRate);
    m_seed->setValue(int(c.training.seed));
    m_applying = false;
    updateVariantFields();
    updateDataStatus();
    Q_EMIT changed();
}

void FeatureControlsWidget::setRunning(bool running)
{
    m_stop->setEnabled(running);
    m_train->setText(running ? tr("Restart") : tr("Train"));
}

void FeatureControlsWidget::setStatus(const QString& text) { m_status->setText(text.toHtmlEscaped()); }

void FeatureControlsWidget::setError(const QString& text)
{
    m_status->setText(text.isEmpty() ? QString()
                                     : QStringLiteral("<span style='color:#c0392b'>%1</span>").arg(text.toHtmlEscaped()));
}

QString FeatureControlsWidget::statusText() const { return m_status->text(); }

void FeatureControlsWidget::setImported(std::shared_ptr<const featurescope::ImportedActivations> imported)
{
    m_imported = std::move(imported);
    if (!m_imported) {
        m_fileInfo->setText(tr("No file yet: File > Open Activations… (Ctrl+O), or drop a .npy, .npz or .safetensors "
                               "file on the window."));
        return;
    }
    const auto& a = *m_imported;
    QString text = tr("%1\narray %2: %3 rows × %4")
                       .arg(QString::fromStdString(a.path), QString::fromStdString(a.arrayName))
                       .arg(a.set.activations.cols())
                       .arg(a.set.activations.rows());
    if (a.set.hasLabels())
        text += tr("\nlabels: %1 (%2 classes)").arg(QString::fromStdString(a.labelsName)).arg(a.set.classCount);
    if (a.hasTokens())
        text += tr("\ntoken strings: %1").arg(QString::fromStdString(a.tokensSource));
    m_fileInfo->setText(text);
    if (source() != Source::File)
        setSource(Source::File);
}
