#include "ScaleLabModelBar.h"

#include "ScaleLabText.h"

#include "common/InputError.h"
#include "scale/ScaleInvarianceModels.h"
#include "common/SettingsReader.h"
#include "experiments/ScaleLabConfig.h"

#include <nlohmann/json.hpp>

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

using scalelab::tr;


ScaleLabModelBar::ScaleLabModelBar(QWidget* parent) : QWidget(parent)
{
    m_modelChoice = new QComboBox(this);
    m_modelChoice->addItem(tr("Tied toy model (n = 5, m = 2)"), int(ScaleLabModel::TiedToy));
    m_modelChoice->addItem(tr("Untied toy model (n = 10, m = 5)"), int(ScaleLabModel::UntiedToy));
    m_modelChoice->addItem(tr("Fashion-MNIST MLP, no biases"), int(ScaleLabModel::FashionMlp));
    m_modelChoice->addItem(tr("Matrix from a safetensors file"), int(ScaleLabModel::File));
    m_modelChoice->setToolTip(tr("Which weight matrix W is scaled by c:\n"
                                 "tied toy model: W, the encoder and the decoder at once;\n"
                                 "untied toy model: the encoder by c and the decoder by 1/c;\n"
                                 "MLP: the first layer W1 (before the hidden ReLU neurons);\n"
                                 "file: the chosen tensor, columns as features."));
    m_openFile = new QPushButton(tr("Open\u2026"), this);
    m_openFile->setToolTip(tr("Choose a .safetensors file"));
    m_tensorChoice = new QComboBox(this);
    m_tensorChoice->setToolTip(tr("A rank-2 floating-point tensor [m, n] (as an nn.Linear weight [out, in])"));
    m_tensorChoice->setMinimumContentsLength(16);
    m_transpose = new QCheckBox(tr("Rows are features"), this);
    m_transpose->setToolTip(tr("Transpose: read the tensor as [n, m]"));
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setEnabled(false);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("scaleLabStatus"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setMinimumWidth(100);
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_status->setWordWrap(true); // a long model line takes a second row rather than being cut at ~950 px

    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(new QLabel(tr("Model:"), this));
    row->addWidget(m_modelChoice);
    row->addWidget(m_openFile);
    row->addWidget(m_tensorChoice);
    row->addWidget(m_transpose);
    row->addWidget(m_cancel);
    row->addWidget(m_status, 1);

    const auto userChange = [this] {
        showFileControls();
        if (!m_updating)
            Q_EMIT choiceChanged();
    };
    connect(m_modelChoice, &QComboBox::currentIndexChanged, this, userChange);
    // A new tensor or orientation only means something once a file is open.
    const auto matrixChange = [this] {
        if (!m_updating && m_tensorChoice->count() > 0) {
            setMatrix(m_filePath, m_tensorChoice->currentText(), m_transpose->isChecked());
            Q_EMIT choiceChanged();
        }
    };
    connect(m_tensorChoice, &QComboBox::currentIndexChanged, this, matrixChange);
    connect(m_transpose, &QCheckBox::toggled, this, matrixChange);
    connect(m_openFile, &QPushButton::clicked, this, &ScaleLabModelBar::chooseFile);
    connect(m_cancel, &QPushButton::clicked, this, &ScaleLabModelBar::cancelRequested);
    showFileControls();
}

ScaleLabModel ScaleLabModelBar::model() const { return ScaleLabModel(m_modelChoice->currentData().toInt()); }

void ScaleLabModelBar::setModel(ScaleLabModel model)
{
    m_updating = true;
    m_modelChoice->setCurrentIndex(m_modelChoice->findData(int(model)));
    m_updating = false;
}

QString ScaleLabModelBar::tensor() const { return m_tensorChoice->currentText(); }
bool ScaleLabModelBar::transpose() const { return m_transpose->isChecked(); }

void ScaleLabModelBar::setMatrix(const QString& path, const QString& tensor, bool transpose)
{
    m_updating = true;
    m_filePath = path;
    if (m_tensorChoice->findText(tensor) < 0)
        m_tensorChoice->addItem(tensor);
    m_tensorChoice->setCurrentIndex(m_tensorChoice->findText(tensor));
    m_transpose->setChecked(transpose);
    m_modelChoice->setCurrentIndex(m_modelChoice->findData(int(ScaleLabModel::File)));
    m_updating = false;
}

void ScaleLabModelBar::setStatus(const QString& text, const QString& toolTip)
{
    m_status->setText(text);
    m_status->setToolTip(toolTip);
}

QString ScaleLabModelBar::status() const { return m_status->text(); }
void ScaleLabModelBar::setCancelEnabled(bool enabled) { m_cancel->setEnabled(enabled); }

void ScaleLabModelBar::showFileControls()
{
    const bool file = model() == ScaleLabModel::File;
    m_openFile->setVisible(file);
    m_tensorChoice->setVisible(file);
    m_transpose->setVisible(file);
}

void ScaleLabModelBar::chooseFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open a weight matrix"), QString(),
                                                      tr("safetensors (*.safetensors);;All files (*)"));
    if (path.isEmpty())
        return;
    std::vector<std::string> names;
    try {
        names = featurescope::ScaleInvarianceModels::safetensorsMatrixNames(path.toStdString());
    } catch (const featurescope::InputError& error) {
        setStatus(QString::fromStdString(error.what()));
        return;
    }
    if (names.empty()) {
        setStatus(tr("%1 holds no rank-2 floating-point tensor").arg(QFileInfo(path).fileName()));
        return;
    }
    m_updating = true;
    m_tensorChoice->clear();
    for (const auto& name : names)
        m_tensorChoice->addItem(QString::fromStdString(name));
    m_updating = false;
    setMatrix(path, m_tensorChoice->currentText(), m_transpose->isChecked());
    Q_EMIT choiceChanged();
}

// The tab's settings hold the shared scale-lab config; only the model and file fields are the bar's.
void ScaleLabModelBar::writeState(nlohmann::json& settings) const
{
    featurescope::ScaleLabConfig config;
    config.model = model();
    config.weights = m_filePath.toStdString();
    config.tensor = tensor().toStdString();
    config.transpose = transpose();
    settings.update(nlohmann::json(config));
}

void ScaleLabModelBar::validateState(const nlohmann::json& settings, const std::string& where) const
{
    featurescope::ScaleLabConfig::fromJson(featurescope::SettingsReader(settings, where));
}

void ScaleLabModelBar::applyState(const nlohmann::json& settings)
{
    const auto config = featurescope::ScaleLabConfig::fromJson(featurescope::SettingsReader(settings, "scale lab"));
    const QString tensor = QString::fromStdString(config.tensor);
    m_updating = true;
    m_filePath = QString::fromStdString(config.weights);
    m_tensorChoice->clear();
    if (!tensor.isEmpty())
        m_tensorChoice->addItem(tensor);
    m_transpose->setChecked(config.transpose);
    m_modelChoice->setCurrentIndex(m_modelChoice->findData(int(config.model)));
    m_updating = false;
    showFileControls();
}
