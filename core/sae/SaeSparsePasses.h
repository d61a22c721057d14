#pragma once

#include <vector>

namespace featurescope {

// The sparse SAE path's two passes over the list of active (input, latent) codes, chosen for the input width d:
// fixed-width AVX-512 code for d = 16 ... 128 (the rows stay in registers), chunked AVX-512 code for other
// multiples of 16 (a language model's 512 or 768), a plain loop otherwise. SaeLossKernel builds the lists.
class SaeSparsePasses {
public:
    // Sample-major over the active codes (CSR: rowStart, feature, value): G_s = Σ_i f_si W_dec,i − r_s for every
    // input s (G and target are d x batch, column-major), gSum += Σ_s G_s. Returns Σ f_si · penalty_i.
    static double decode(int d, int batch, const int* rowStart, const int* feature, const float* value,
                         const float* dec, const float* penalty, const float* target, float* G, float* gSum);
    // Latent-major over the same codes (CSC: colStart, sample, value): each latent's decoder, encoder and bias
    // gradients from G and the encoder's inputs, c = 2 / (batch · d) the MSE's scale; codeSum_i = Σ_s f_si.
    // `scratch` is reused between calls.
    static void gradient(int d, int latent, const int* colStart, const int* sample, const float* value,
                         const float* dec, const float* penalty, const float* G, const float* encoderInput, float c,
                         float* dEnc, float* dBenc, float* dDec, double* codeSum, std::vector<float>& scratch);
};

} // namespace featurescope
