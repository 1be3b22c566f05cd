// The header holds only static inline functions.
