#include "zip_reader.h"
